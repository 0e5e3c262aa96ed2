"""Headers for a file a person downloads: a name any browser can read, and never cached.

The name follows RFC 6266 with RFC 5987 encoding: an ASCII `filename` for old clients and a
UTF-8 `filename*` whenever the real name has other characters (Welsh ŵ, Polish ł, CJK...), so a
non-Latin name can never make the response unsendable.
"""

import unicodedata
from urllib.parse import quote


def content_disposition(filename: str, kind: str = "attachment") -> str:
    ascii_name = (unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
                  .replace("\\", "_").replace('"', "_"))
    ascii_name = "".join(c for c in ascii_name if c.isprintable()).strip() or "download"
    value = f'{kind}; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def download_headers(filename: str) -> dict[str, str]:
    """Every export carries personal data or residents' words: no cache may keep a copy."""
    return {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"}
