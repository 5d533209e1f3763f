"""Put a kustomization tree on disk: atomically, one writer at a time, and never
touching anything kustgen did not generate.

kustgen runs inside people's repositories, on branches someone else wrote, so
everything it reads there is untrusted input.  The rules, each kept in one
module:

* :mod:`~kustgen.writer.paths` -- only paths kustgen could have generated
  (below ``bases/``, ``installs/``, ``components/``, ``overlays/``) are ever
  written or removed; every directory on the way must be a real directory
  (no links, even inside the root); only regular files are read, after
  ``lstat``, with ``O_NOFOLLOW | O_NONBLOCK`` and a bounded size.
* :mod:`~kustgen.writer.manifest` -- ``.kustgen-manifest`` lists the generated
  files; only they are rewritten or removed.  A hand-written file in the way
  stops the build before anything is written, even when its bytes equal the
  generated ones (``adopt=True`` / ``--adopt`` takes those over explicitly).
* :mod:`~kustgen.writer.state` -- working state lives in ``.kustgen-state/``,
  which ignores itself in git; an ``flock`` there admits one writer at a time
  and lets ``check`` read under a shared lock.
* :mod:`~kustgen.writer.journal` -- a build stages its files, then commits with
  one atomic rename of a journal that proves it was made in this root; the
  next run finishes an interrupted build, or undoes it when it cannot finish.
* :mod:`~kustgen.writer.sync` -- plan, pre-checks, staging and commit.
"""

from kustgen.writer.journal import JOURNAL
from kustgen.writer.paths import GENERATED_DIRS, MANIFEST, STATE_DIR, generatable
from kustgen.writer.state import DEFAULT_TIMEOUT
from kustgen.writer.sync import SyncReport, check, read_manifest, recover, sync

__all__ = [
    "DEFAULT_TIMEOUT",
    "GENERATED_DIRS",
    "JOURNAL",
    "MANIFEST",
    "STATE_DIR",
    "SyncReport",
    "check",
    "generatable",
    "read_manifest",
    "recover",
    "sync",
]
