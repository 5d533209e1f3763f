"""The generated-name hash suffix of Kustomize v5.5.0 (FACTS §3.5).

SHA-256 over Go's compact, key-sorted JSON of ``{"data", "kind", "name": ""}``
(plus ``binaryData``; Secrets add ``type`` and ``stringData``; an object
without data hashes ``"data": ""``, as kustomize's reading of a missing field
gives), first ten hex
digits, with 0→g 1→h 3→k a→m e→t so the suffix never looks like a number or
a word.
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


def hash_suffix(obj: dict[str, Any]) -> str:
    """The ten-character suffix kustomize appends to a generated object's name."""
    kind = obj.get("kind")
    payload: dict[str, Any] = {"kind": kind, "name": "", "data": obj.get("data") or ""}
    if kind == "Secret":
        payload["type"] = obj.get("type", "")
        if obj.get("stringData"):
            payload["stringData"] = obj["stringData"]
    elif obj.get("binaryData"):
        payload["binaryData"] = obj["binaryData"]
    digest = hashlib.sha256(go_json(payload).encode("utf-8")).hexdigest()
    return digest[:10].translate(_ENCODE)
