"""Complaint and tip texts for the demo data set: (department, kind, category, text).

``{c}`` is replaced by a demo company's name, ``{n}`` by a small number.
"""

CASE_TEXTS: tuple[tuple[str, str, str, str], ...] = (
    (
        "zhijian",
        "complaint",
        "special_equipment",
        "{c}小区的电梯又困人了，一个月坏了{n}次，物业说是厂家的问题，请质监部门来检查。",
    ),
    (
        "zhijian",
        "tip",
        "special_equipment",
        "举报{c}使用的锅炉没有定期检验，压力表都坏了，很危险。",
    ),
    (
        "zhijian",
        "complaint",
        "metrology",
        "在{c}加油，加油机显示50升，我的油箱只有45升，怀疑计量作弊。",
    ),
    ("zhijian", "tip", "product_quality", "举报{c}在城郊的仓库里生产假冒名牌洗衣液，是制假窝点。"),
    (
        "zhijian",
        "complaint",
        "product_quality",
        "买的{c}生产的电热水器用了{n}天就漏电，产品质量不合格，要求厂家赔偿。",
    ),
    ("zhijian", "tip", "certification", "{c}生产的插线板没有3C认证标志就出厂销售。"),
    ("gongshang", "complaint", "retail", "在{c}买的手机三包期内坏了，商家拒绝退换，要求退款。"),
    (
        "gongshang",
        "complaint",
        "online",
        "网购{c}的羽绒服，收到后发现是次品，申请退货商家一直不处理。",
    ),
    ("gongshang", "tip", "advertising", "{c}在朋友圈发虚假广告，说产品能治百病，明显夸大宣传。"),
    ("gongshang", "tip", "counterfeit_sale", "举报{c}门店在卖假冒耐克鞋，标价还很贵。"),
    (
        "gongshang",
        "complaint",
        "retail",
        "{c}的家具店收了定金{n}千元，合同约定的交货日期过了一个月还没送货。",
    ),
    ("shiyaojian", "complaint", "food", "在{c}超市买的牛奶已经过期{n}天了还在卖，孩子喝了拉肚子。"),
    (
        "shiyaojian",
        "complaint",
        "catering",
        "昨晚在{c}吃饭，全家{n}口人食物中毒，去医院花了不少钱。",
    ),
    ("shiyaojian", "tip", "catering", "举报{c}后厨卫生很差，老鼠乱跑，用地沟油。"),
    ("shiyaojian", "complaint", "takeaway", "点的{c}外卖里吃出了头发和虫子，商家不理。"),
    ("shiyaojian", "tip", "drug", "{c}药店没有处方就卖抗生素，还卖过期药品。"),
    ("shiyaojian", "complaint", "cosmetic", "用了{c}的面霜脸上过敏红肿，怀疑含有激素。"),
    ("nongye", "tip", "agri_products", "举报{c}养猪场使用瘦肉精，猪肉卖到城里的菜市场。"),
    (
        "nongye",
        "complaint",
        "agri_inputs",
        "买了{c}的玉米种子，出苗率不到一半，是假种子，损失很大。",
    ),
    ("nongye", "tip", "agri_products", "{c}批发市场的青菜农药残留超标，检测过不合格。"),
    ("nongye", "complaint", "agri_inputs", "{c}卖的化肥有效成分不足，庄稼都黄了。"),
    ("zhujian", "complaint", "housing", "{c}开发的楼盘交房才{n}个月，墙面开裂，卫生间渗水。"),
    ("zhujian", "complaint", "renovation", "请{c}装修公司装修，地砖空鼓，水管漏水，公司不给返工。"),
    ("zhujian", "tip", "construction", "{c}的工地用不合格的钢筋，混凝土强度不够。"),
    ("jiaotong", "complaint", "taxi", "坐出租车司机不打表，绕路多收钱，车是{c}的。"),
    ("jiaotong", "complaint", "vehicle_repair", "{c}汽车维修厂换了旧配件却收新配件的钱。"),
    ("jiaotong", "complaint", "driving_school", "{c}驾校收了学费一直不安排练车，也不退钱。"),
    ("jiaotong", "complaint", "bus", "{c}的长途客车严重超载，司机还边开车边打电话。"),
    (
        "lvyou",
        "complaint",
        "travel_agency",
        "参加{c}旅行社的低价团，导游强制购物，不买就不让上车。",
    ),
    ("lvyou", "complaint", "scenic_area", "{c}景区门票写着含索道，到了又要另外收费，服务态度差。"),
    ("lvyou", "complaint", "hotel", "在{c}酒店订的海景房，到店变成了普通房，也不退差价。"),
    ("wujia", "complaint", "price", "{c}饭店菜单上没有标价，结账时一盘虾收了{n}百元。"),
    ("wujia", "tip", "price", "{c}停车场乱收费，收费标准没有公示。"),
    ("wujia", "complaint", "price", "{c}超市标价签写9.9元，结账按19.9元收，价签误导。"),
    ("tongxin", "complaint", "telecom", "{c}营业厅未经同意给我开通了{n}个增值业务，每月多扣费。"),
    ("tongxin", "complaint", "broadband", "{c}的宽带经常断网，报修{n}次都没修好。"),
    ("tongxin", "tip", "spam", "每天接到{c}的骚扰电话推销贷款，还有垃圾短信。"),
    ("youzheng", "complaint", "express", "{c}快递把我的包裹弄丢了，只肯按运费赔偿。"),
    ("youzheng", "complaint", "express", "{c}快递员不送货上门，直接放快递柜还收费，包裹也摔坏了。"),
    ("huanbao", "tip", "pollution", "举报{c}晚上偷偷排放废水到河里，河水发黑发臭。"),
    ("huanbao", "tip", "pollution", "{c}工厂夜间噪音很大，还有刺鼻的废气，周边居民睡不着。"),
    ("jianyan", "complaint", "imported", "在{c}买的进口婴儿奶粉没有中文标签，怀疑是走私货。"),
    ("jianyan", "complaint", "cross_border", "通过{c}跨境电商买的进口保健品，包装和官网不一致。"),
    ("shangwu", "complaint", "prepaid", "{c}健身房突然关门跑路，我卡里还有{n}千元余额。"),
    ("shangwu", "complaint", "prepaid", "在{c}美容院办了预付卡，现在店换老板了不认卡。"),
    (
        "shangwu",
        "complaint",
        "household",
        "通过{c}家政公司请的保姆，合同没到期公司就不派人了，服务费不退。",
    ),
    ("triage", "complaint", "other", "{c}的事情一直没人管，请你们帮忙处理一下。"),
    (
        "shiyaojian",
        "complaint",
        "food",
        "Bought yogurt at {c} that was {n} days past its expiry date, my kid got sick.",
    ),
    (
        "gongshang",
        "complaint",
        "retail",
        "{c} refused to refund a broken vacuum cleaner still under warranty.",
    ),
    (
        "jiaotong",
        "complaint",
        "taxi",
        "The taxi driver refused to use the meter and charged me 200 yuan, {c} car.",
    ),
)

# (department, category) per outcome family for tips and complaints
COMPLAINT_OUTCOMES = ("mediated", "refunded", "repaired", "replaced", "compensated")
TIP_OUTCOMES = ("case_opened", "not_substantiated")
REJECT_REASONS = (
    "outside_remit",
    "court_or_arbitration",
    "not_consumer_dispute",
    "over_three_years",
    "missing_materials",
    "other",
)
