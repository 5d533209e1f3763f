"""The generated-name hash suffix of Kustomize v5.5.0 (FACTS §3.5, ``api/hasher``).

SHA-256 over Go's compact, key-sorted JSON of ``{"data", "kind", "name"}``
plus ``binaryData`` when the object has that map; Secrets hash ``type`` too,
and ``stringData`` when present.  A field the object lacks hashes as ``""``,
a present map (even an empty one) as the map.  ``name`` is always ``""``:
kustomize looks the name up at the literal key ``metadata/name``, which no
object has.  The first ten hex digits are kept, with 0→g 1→h 3→k a→m e→t so
the suffix never looks like a number or a word.  Data values are hashed as
the object carries them: a Secret's wrapped base64 with its newlines.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

_ENCODE = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def go_json(value: Any) -> str:
    """Compact JSON with sorted keys, escaped like Go's encoding/json."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _field(obj: dict[str, Any], key: str) -> Any:
    """What kustomize's getNodeValues gives for a top-level field."""
    value = obj.get(key)
    if value is None:
        return ""
    return value


def hash_suffix(obj: dict[str, Any]) -> str:
    """The ten-character suffix kustomize appends to a generated object's name."""
    kind = obj.get("kind")
    payload: dict[str, Any] = {"kind": kind, "name": "", "data": _field(obj, "data")}
    if kind == "Secret":
        payload["type"] = _field(obj, "type")
        if isinstance(obj.get("stringData"), dict):
            payload["stringData"] = obj["stringData"]
    elif isinstance(obj.get("binaryData"), dict):
        payload["binaryData"] = obj["binaryData"]
    digest = hashlib.sha256(go_json(payload).encode("utf-8")).hexdigest()
    return digest[:10].translate(_ENCODE)
