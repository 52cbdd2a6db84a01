"""Recall notices for the demo data set, by category: (product, reason, hazard, remedy,
makers), where makers are the fit specs (``zhixin.demo.fit``) of the enterprises that
could have made the product."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select

from disclosure.models import RecallNotice
from disclosure.namegen import EnterpriseRecord
from zhixin.demo.fit import pool

FOOD = ("食品:食品|食品科技|食品加工",)
RECALL_TEMPLATES: dict[str, tuple[tuple[str, str, str, str, tuple[str, ...]], ...]] = {
    "food": (
        ("婴幼儿米粉", "部分批次检出阪崎肠杆菌", "可能引起婴幼儿感染", "停止销售，全额退款", FOOD),
        ("速冻水饺", "部分批次检出单增李斯特菌", "可能引起食源性疾病", "下架封存，消费者可退货", FOOD),
        ("花生油", "黄曲霉毒素B1超标", "长期食用可能损害肝脏", "召回并销毁，退款", FOOD),
        ("酸奶", "大肠菌群超标", "可能引起腹泻", "下架并退款", FOOD),
        ("月饼", "过氧化值超标", "可能引起肠胃不适", "召回退款", FOOD),
        ("桶装饮用水", "铜绿假单胞菌超标", "可能引起感染", "停止供应，更换合格产品", FOOD),
    ),
    "consumer": (
        ("电动自行车充电器", "过充保护失效", "可能起火", "免费更换充电器", ("电子", "家电")),
        ("儿童玩具积木", "小零件易脱落", "儿童误吞窒息风险", "退货退款", ("玩具", "塑料:塑料|塑胶制品")),
        ("电热水壶", "温控器失效", "干烧起火风险", "免费更换温控器", ("家电",)),
        ("移动电源", "电芯短路", "过热起火", "免费更换", ("电子",)),
        ("儿童安全座椅", "卡扣强度不足", "碰撞时保护失效", "免费更换卡扣组件", ("汽车",)),
        ("电暖器", "倾倒断电开关失效", "倾倒后可能起火", "免费维修", ("家电",)),
    ),
    "vehicle": (
        ("汽车安全气囊气体发生器", "壳体可能破裂", "碎片伤及驾乘人员", "免费更换气囊模块", ("汽车",)),
        ("电动汽车动力电池包密封件", "密封不良", "进水短路起火", "免费检查并更换密封件", ("汽车",)),
        ("汽车燃油泵", "叶轮变形", "行驶中熄火", "免费更换燃油泵", ("汽车",)),
        ("电动摩托车制动软管", "老化开裂", "制动失效", "免费更换制动软管", ("汽车",)),
    ),
    "drug": (
        ("感冒颗粒", "溶化性不符合规定", "影响疗效", "召回并退货", ("医药:药业|医药",)),
        ("阿莫西林胶囊", "有关物质超标", "可能引起不良反应", "一级召回，停止使用", ("医药:药业|医药",)),
        ("维生素C片", "含量测定不合格", "影响疗效", "召回退货", ("医药:药业|医药",)),
    ),
    "device": (
        ("医用外科口罩", "细菌过滤效率不合格", "防护不足", "召回销毁", ("医药:医疗器械",)),
        ("电子血压计", "测量误差超标", "误导健康判断", "免费更换", ("医药:医疗器械",)),
        ("一次性注射器", "包装密封不良", "可能污染", "召回销毁", ("医药:医疗器械",)),
    ),
    "cosmetic": (
        ("美白面霜", "检出禁用物质氢醌", "可能损伤皮肤", "停止销售，退款", ("日化",)),
        ("儿童洗发水", "防腐剂超标", "可能刺激皮肤和眼睛", "召回退款", ("日化",)),
        ("防晒霜", "防晒指数与标识不符", "防护不足", "退货退款", ("日化",)),
    ),
}  # fmt: skip

BRANDS = ("惠康", "苏宁星", "金陵", "澄瑞", "洋河湾", "太湖", "锡安", "维达", "江南春", "扬帆")
LEVELS = ("一级", "二级", "三级")
N_RECALLS = 72


async def add_recalls(
    session: Any, rng: random.Random, records: list[EnterpriseRecord], today: date
) -> int:
    """The demo's recall notices that are not stored yet, each made by an enterprise of
    an industry that makes the product (or by an outside importer), in one INSERT."""
    known = set(await session.scalars(select(RecallNotice.recall_no)))
    categories = list(RECALL_TEMPLATES)
    makers = {
        spec: pool(records, spec, makers=True)
        for templates in RECALL_TEMPLATES.values()
        for *_, spec in templates
    }
    rows = []
    for i in range(N_RECALLS):
        # every value is drawn before the existence check, so a second run draws the same
        category = categories[i % len(categories)]
        product, reason, hazard, remedy, spec = rng.choice(RECALL_TEMPLATES[category])
        published = today - timedelta(days=rng.randint(0, 720))
        linked = rng.random() < 0.8 and bool(makers[spec])
        producer = rng.choice(makers[spec] or records)
        brand = rng.choice(BRANDS)
        extra = [rng.randint(1, 9), rng.random(), rng.random(), rng.randint(200, 50000)]
        extra += [rng.random(), rng.randint(0, 5), rng.choice(("ongoing", "ongoing", "completed"))]
        recall_no = f"JS-DEMO-{category.upper()}-{i + 1:04d}"
        if recall_no in known:
            continue
        age = (today - published).days
        rows.append(
            {
                "recall_no": recall_no,
                "title": f"关于召回{brand}牌{product}的公告",
                "product": product,
                "brand": brand,
                "model": f"批次 {published:%Y%m%d}{extra[0]}",
                "category": category,
                "level": LEVELS[int(extra[1] * 3)] if category in ("food", "drug") else None,
                "producer_uscc": producer.uscc if linked else None,
                "producer": producer.name if linked else f"{brand}（香港）贸易有限公司",
                "reason": reason,
                "hazard": hazard,
                "remedy": remedy,
                "quantity": extra[3],
                "region": "江苏省" if extra[4] < 0.6 else "全国",
                "start_date": published - timedelta(days=extra[5]),
                "published": published,
                "status": "completed" if age > 240 else extra[6],
                "url": None,
            }
        )
    if rows:
        await session.execute(insert(RecallNotice), rows)
    return len(rows)
