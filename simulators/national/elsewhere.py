"""What other regions and State Council departments hold about an entity (跨地区、跨部门).

``GET /api/v1/entities/<uscc>/records`` answers the supervision records the national system
gathered about the entity from outside the asking province: inspections, penalties,
licences and credit records, each naming its source (a region by its GB/T 2260 code, or a
State Council department). Generated from the seed and the code, so the same entity gets
the same answer; some entities have none.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

OTHER_REGIONS = (
    ("110000", "北京市"),
    ("310000", "上海市"),
    ("320000", "江苏省"),
    ("330000", "浙江省"),
    ("420000", "湖北省"),
    ("440000", "广东省"),
)
DEPARTMENTS = (
    ("SAMR", "国家市场监督管理总局"),
    ("MEE", "生态环境部"),
    ("MEM", "应急管理部"),
    ("MOT", "交通运输部"),
)
KINDS = (
    ("inspection", "监督检查", ("未发现问题", "发现问题已责令整改")),
    ("penalty", "行政处罚", ("警告", "罚款")),
    ("licensing", "行政许可", ("准予许可",)),
    ("credit_record", "经营异常名录", ("列入", "移出")),
)


def records_about(uscc: str, seed: int, province: str) -> list[dict[str, Any]]:
    """The records about ``uscc`` from outside ``province``, oldest first."""
    rng = random.Random(f"{seed}:{uscc}")
    regions = [region for region in OTHER_REGIONS if region[0][:2] != province[:2]]
    found = []
    for index in range(rng.choice((0, 1, 2, 3, 4))):
        from_department = rng.random() < 0.4
        source_code, source_name = rng.choice(DEPARTMENTS if from_department else regions)
        data_type, action_name, results = rng.choice(KINDS)
        acted_on = date(2025, 1, 1) + timedelta(days=rng.randrange(500))
        found.append(
            {
                "source_kind": "department" if from_department else "region",
                "source_code": source_code,
                "source_name": source_name,
                "data_type": data_type,
                "record_number": f"{source_code}-{uscc[-6:]}-{index + 1:03d}",
                "action_name": action_name,
                "acted_on": acted_on.isoformat(),
                "result": rng.choice(results),
            }
        )
    return sorted(found, key=lambda record: (record["acted_on"], record["record_number"]))
