"""A deterministic synthetic registry of Jiangsu enterprises (demo data and benchmarks).

Names follow the registration rules: 行政区划 + 字号 + 行业 + 组织形式, with the
region written as a city (苏州), a city and district (苏州市吴中区), a county-level
city (昆山), the province (江苏) or in brackets after the brand (澄瑞（苏州）); a
brand is unique per registering authority and industry, as the rules require,
so the same brand and industry recur across cities exactly as in a real register.
Individual businesses (个体工商户, code prefix 92) carry town names and personal
brands (老王, 张记); farmers' cooperatives have prefix 93. The first k records
do not depend on n: ``generate_enterprises(2400)`` is a prefix of the 1M set.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from nlp.names import District, jiangsu_regions, pinyin_key
from nlp.uscc import ALPHABET, make_code

STATUSES = (("存续", 86), ("在业", 8), ("吊销", 3), ("注销", 3))
# Share of the province's enterprises by city (roughly their share of registered firms).
CITY_WEIGHTS = {
    "320100": 14,
    "320200": 10,
    "320300": 7,
    "320400": 8,
    "320500": 22,
    "320600": 8,
    "320700": 3,
    "320800": 4,
    "320900": 5,
    "321000": 5,
    "321100": 4,
    "321200": 5,
    "321300": 4,
}
# Real towns of some county-level divisions, for individual businesses.
TOWNS = {
    "320583": "玉山镇 周庄镇 千灯镇 陆家镇 花桥镇 巴城镇 张浦镇 淀山湖镇 锦溪镇 周市镇",
    "320506": "木渎镇 甪直镇 光福镇 临湖镇 胥口镇",
    "320509": "盛泽镇 震泽镇 七都镇 桃源镇 黎里镇 平望镇",
    "320581": "梅李镇 海虞镇 古里镇 沙家浜镇 支塘镇 董浜镇 辛庄镇 尚湖镇",
    "320582": "锦丰镇 乐余镇 凤凰镇 南丰镇 大新镇 塘桥镇",
    "320281": "华士镇 新桥镇 长泾镇 顾山镇 祝塘镇 徐霞客镇 青阳镇 月城镇",
    "320282": "丁蜀镇 张渚镇 和桥镇 官林镇 高塍镇 徐舍镇 周铁镇",
    "320412": "湖塘镇 牛塘镇 洛阳镇 横林镇 雪堰镇 前黄镇 礼嘉镇",
    "320115": "秣陵街道 东山街道 淳化街道 汤山街道 禄口街道",
    "320382": "碾庄镇 官湖镇 土山镇",
    "321322": "胡集镇 钱集镇 韩山镇 新河镇",
    "320682": "白蒲镇 下原镇 九华镇 石庄镇",
    "320981": "安丰镇 富安镇 梁垛镇 三仓镇 溱东镇",
    "321181": "司徒镇 访仙镇 导墅镇 界牌镇 吕城镇",
    "321281": "戴南镇 张郭镇 沙沟镇",
    "321283": "黄桥镇 分界镇 古溪镇",
    "321084": "界首镇 临泽镇 汤庄镇",
    "320614": "三星镇 常乐镇 悦来镇 正余镇",
    "320830": "马坝镇 管镇镇 官滩镇",
}
# industry: (weight, phrases written in names, may be a 厂)
COMPANY_INDUSTRIES: dict[str, tuple[float, tuple[str, ...], bool]] = {
    "电子": (8, ("电子科技", "电子", "电子设备", "电子材料", "光电科技"), True),
    "机械": (8, ("机械制造", "机械", "机械设备", "精密机械", "重工机械"), True),
    "食品": (6, ("食品", "食品科技", "食品贸易", "食品加工"), True),
    "餐饮": (6, ("餐饮管理", "餐饮", "饭店", "酒楼", "酒店管理"), False),
    "建材": (5, ("建材", "新型建材", "建筑材料", "建材贸易"), True),
    "电梯": (2, ("电梯", "电梯工程", "电梯安装维修", "电梯设备"), False),
    "化工": (4, ("化工", "精细化工", "化工材料", "化工科技"), True),
    "纺织": (5, ("纺织", "纺织品", "丝绸", "家纺", "针织"), True),
    "汽车": (3, ("汽车零部件", "汽车配件", "车辆部件"), True),
    "汽车维修": (3, ("汽车维修", "汽车服务", "汽修"), False),
    "旅行社": (2, ("旅行社", "国际旅行社", "旅游"), False),
    "健身": (2, ("健身", "体育健身", "健身管理"), False),
    "通信": (3, ("通信技术", "通信工程", "通讯器材", "通信设备"), False),
    "快递": (3, ("快递", "速递", "物流", "供应链管理"), False),
    "医药": (3, ("医药", "药业", "大药房", "医疗器械"), False),
    "日化": (2, ("化妆品", "日化", "生物科技"), True),
    "服装": (4, ("服装", "服饰", "制衣"), True),
    "家具": (3, ("家具", "家居", "木业"), True),
    "装饰": (4, ("装饰工程", "建筑装饰", "装潢"), False),
    "房地产": (2, ("房地产开发", "置业"), False),
    "建筑": (4, ("建筑工程", "建设工程", "市政工程"), False),
    "酒": (1, ("酒业", "酿酒", "酒厂"), False),
    "农业": (3, ("农业科技", "农资", "种业", "饲料"), False),
    "商贸": (8, ("商贸", "贸易", "百货", "超市"), False),
    "信息技术": (6, ("信息技术", "软件", "网络科技", "智能科技"), False),
    "环保": (2, ("环保科技", "环境工程"), False),
    "教育": (2, ("教育咨询", "教育科技", "培训"), False),
    "家电": (3, ("电器", "家电", "电气"), True),
    "燃气": (1, ("燃气", "燃气设备", "压力容器"), False),
    "新能源": (2, ("新能源", "光伏科技", "能源科技"), False),
    "塑料": (3, ("塑料", "塑胶制品", "包装材料", "包装"), True),
    "五金": (3, ("五金", "五金机电", "金属制品"), True),
    "印刷": (1, ("印刷", "彩印"), True),
    "汽车销售": (2, ("汽车销售服务", "汽车贸易"), False),
    "客运": (1, ("客运", "交通运输", "出租汽车"), False),
    "驾校": (1, ("驾驶员培训", "驾驶培训"), False),
    "物业": (2, ("物业管理", "物业服务"), False),
    "广告": (3, ("文化传媒", "广告"), False),
    "人力资源": (1, ("人力资源", "劳务"), False),
    "仪器仪表": (2, ("仪器仪表", "仪表", "自动化设备"), True),
    "电线电缆": (1, ("电线电缆", "线缆"), True),
    "眼镜": (0.5, ("眼镜",), False),
    "玩具": (0.5, ("玩具",), True),
    "水产": (1, ("水产", "水产养殖"), False),
    "茶叶": (1, ("茶业", "茶叶"), False),
}
SHOP_INDUSTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "餐饮": (8, ("面馆", "小吃店", "饭店", "烧烤店", "快餐店", "饺子馆", "火锅店", "大排档")),
    "食品": (5, ("便利店", "食品店", "水果店", "副食品店", "熟食店", "烟酒店")),
    "汽车维修": (2, ("汽车维修部", "汽修店", "轮胎店")),
    "美容": (3, ("理发店", "美容院", "美发店")),
    "五金": (2, ("五金店", "五金建材店")),
    "服装": (2, ("服装店", "童装店")),
    "通信": (1, ("手机维修店", "通讯器材店")),
    "快递": (1, ("快递代办点",)),
    "健身": (0.5, ("健身工作室",)),
    "商贸": (3, ("超市", "商店", "日用品店")),
    "医药": (1, ("药店",)),
    "建材": (1, ("建材店", "装饰材料店")),
}
# Brand characters, most popular first; the tail gives rarer, more distinctive brands.
BRAND_CHARS = (
    "华鑫恒宏金盛泰瑞达兴永嘉佳新天安康博创元丰凯宇宁祥富茂昌龙海东江明光辉腾飞远通诚信德和润源"
    "升利隆旺益联合中正威力强科美欣悦雅优卓越立晟昊昱晨辰星月阳日春秋蓝青银宝玉凤鹏鸿骏锦绣思维"
    "智慧聚汇融鼎峰山川泽浩洋澜涛淼森林景同仁义志豪杰英俊跃进顺畅捷迅特精工艺彩虹亿万千百久长宜"
    "福禄喜乐健泉石晶亮耀灿煌启航舟帆尚品致诺贝尔莱斯普迪克菲琳娜奥亚欧雷伦澄璟翊琨珩骐铂锐昕皓"
    "琦璞瀚熠煜珏钰澎淳沁芮萃蔚铖钧锴镕璐瑾瑜琪瑶赛驰骋拓展航宸逸朗清沐晴岚霖霄汉唐宋元明清云雨"
    "雪霜松柏梅竹菊兰桂荷莲杉桦楠樟橙橘柚桃李杏枫榕苏吴越楚秦晋燕赵齐鲁蜀湘闽粤桐柯蓓蕾芊茜萱蔓"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱尹薛段雷侯史陶黎贺顾毛郝龚邵万钱严戴孔汤"
)
PERSONAL = ("老{s}", "{s}记", "{s}氏", "{s}家", "{s}师傅", "{s}姐", "小{s}", "阿{s}", "{s}大姐")
COMPANY_FORMS = (
    ("有限公司", 78),
    ("有限责任公司", 6),
    ("股份有限公司", 6),
    ("集团有限公司", 2),
)
EN_INDUSTRY = {"电子": "Electronics", "机械": "Machinery", "食品": "Foods", "化工": "Chemical"}


@dataclass(frozen=True, slots=True)
class EnterpriseRecord:
    """One synthetic registered enterprise."""

    uscc: str
    name: str
    region: str  # prefecture city, e.g. 苏州市
    district: str  # county-level division, e.g. 吴中区, or ""
    industry: str
    aliases: tuple[str, ...]
    status: str
    brand: str
    phrase: str  # the industry as the name writes it, e.g. 电子科技
    place: tuple[str, ...]  # the region as the name writes it, in short forms: (苏州, 吴中)
    town: str = ""  # town or zone short form, e.g. 玉山
    branch: str = ""  # the place a branch office names, e.g. 吴中


class _Picker:
    """Weighted choice by bisection over cumulative weights (fast for repeated draws)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[object], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _zipf(items: Sequence[object], s: float = 0.8, offset: int = 8) -> _Picker:
    return _Picker(items, [1.0 / (i + offset) ** s for i in range(len(items))])


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        regions = jiangsu_regions()
        self.cities = {c.code: c for c in regions.cities}
        self.city = _Picker(list(CITY_WEIGHTS), list(CITY_WEIGHTS.values()))
        self.districts: dict[str, _Picker] = {}
        for code in CITY_WEIGHTS:
            ds = regions.districts_of(code)
            # county-level cities and the big urban districts register more firms
            self.districts[code] = _Picker(ds, [2.0 if d.kind == "city" else 1.0 for d in ds])
        self.company = _Picker(
            list(COMPANY_INDUSTRIES), [v[0] for v in COMPANY_INDUSTRIES.values()]
        )
        self.shop = _Picker(list(SHOP_INDUSTRIES), [v[0] for v in SHOP_INDUSTRIES.values()])
        self.first = _zipf(BRAND_CHARS)
        self.second = _zipf(BRAND_CHARS[::-1][:60] + BRAND_CHARS, s=0.7)
        self.surname = _zipf(SURNAMES, s=1.0, offset=3)
        self.form = _Picker([f for f, _ in COMPANY_FORMS], [w for _, w in COMPANY_FORMS])
        self.status = _Picker([s for s, _ in STATUSES], [w for _, w in STATUSES])
        self.names: set[str] = set()
        self.taken: set[str] = set()  # registering authority + brand + industry
        self.recent: list[EnterpriseRecord] = []
        self.count = 0

    def org_code(self) -> str:
        # i -> (i * m + c) mod 31^8 with m not divisible by 31 is a permutation: codes never repeat
        value = (self.count * 0x2545F4914F6CDD1D + 0x9E3779B9) % (31**8)
        self.count += 1
        chars = []
        for _ in range(8):
            value, r = divmod(value, 31)
            chars.append(ALPHABET[r])
        return "".join(chars)

    def brand(self) -> str:
        rng = self.rng
        a = self.first(rng)
        b = self.second(rng)
        while b == a:
            b = self.second(rng)
        roll = rng.random()
        if roll < 0.13:
            return a + b + self.second(rng)
        if roll < 0.16:
            return a + b + self.first(rng) + self.second(rng)
        return a + b

    def personal(self) -> str:
        return self.rng.choice(PERSONAL).format(s=self.surname(self.rng))

    def __call__(self) -> EnterpriseRecord:
        while True:
            roll = self.rng.random()
            if roll < 0.02 and self.recent:
                rec = self.branch()
            elif roll < 0.15:
                rec = self.shop_record()
            elif roll < 0.16:
                rec = self.cooperative()
            else:
                rec = self.company_record()
            if rec is not None and rec.name not in self.names:
                self.names.add(rec.name)
                if rec.uscc[1] == "1" and not rec.branch:
                    self.recent = [*self.recent[-63:], rec]
                return rec

    def _claim(self, authority: str, brand: str, industry: str) -> bool:
        key = f"{authority}{brand}|{industry}"
        if key in self.taken:
            return False
        self.taken.add(key)
        return True

    def company_record(self) -> EnterpriseRecord | None:
        rng = self.rng
        city = self.cities[self.city(rng)]
        industry = self.company(rng)
        _, phrases, factory = COMPANY_INDUSTRIES[industry]
        phrase = rng.choice(phrases)
        brand = self.brand()
        form = self.form(rng)
        if factory and rng.random() < 0.15:
            form = "厂"
        district: District | None = None
        style = rng.random()
        if style < 0.50:
            prefix = city.short if rng.random() < 0.75 else city.name
            place, division, name = (city.short,), city.code, f"{prefix}{brand}{phrase}{form}"
        elif style < 0.80:
            district = self.districts[city.code](rng)
            if district.kind == "district":
                prefix, place = city.name + district.name, (city.short, district.short)
            else:
                prefix = district.short if rng.random() < 0.6 else district.name
                place = (district.short,)
            division, name = district.code, f"{prefix}{brand}{phrase}{form}"
        elif style < 0.88:
            place, division = (city.short,), city.code
            name = f"{brand}（{city.short}）{phrase}{form}"
        elif style < 0.95:
            province = jiangsu_regions().province
            place, division = (province.short,), province.code
            if form == "有限公司" and rng.random() < 0.3:
                form = "股份有限公司"
            name = f"{province.short}{brand}{phrase}{form}"
        else:
            zone = "工业园区" if city.code == "320500" else "高新区"
            place, division = (city.short,), city.code
            name = f"{city.short}{zone}{brand}{phrase}{form}"
            if not self._claim(division + zone, brand, industry):
                return None
            return self._record(
                "91", division, name, city.name, "", industry, brand, phrase, place, zone
            )
        if not self._claim(division, brand, industry):
            return None
        return self._record(
            "91",
            division,
            name,
            city.name,
            district.name if district else "",
            industry,
            brand,
            phrase,
            place,
        )

    def shop_record(self) -> EnterpriseRecord | None:
        rng = self.rng
        city = self.cities[self.city(rng)]
        district = self.districts[city.code](rng)
        industry = self.shop(rng)
        phrase = rng.choice(SHOP_INDUSTRIES[industry][1])
        brand = self.personal() if rng.random() < 0.6 else self.brand()
        towns = TOWNS.get(district.code, "").split()
        town = rng.choice(towns) if towns and rng.random() < 0.8 else ""
        if district.kind == "district":
            prefix, place = city.name + district.name, (city.short, district.short)
        else:
            prefix, place = district.name, (district.short,)
        suffix = "（个体工商户）" if rng.random() < 0.7 else ""
        name = f"{prefix}{town}{brand}{phrase}{suffix}"
        town_short = town.removesuffix("街道").removesuffix("镇")
        return self._record(
            "92",
            district.code,
            name,
            city.name,
            district.name,
            industry,
            brand,
            phrase,
            place,
            town_short,
        )

    def cooperative(self) -> EnterpriseRecord | None:
        rng = self.rng
        city = self.cities[self.city(rng)]
        district = self.districts[city.code](rng)
        brand = self.brand()
        phrase = rng.choice(
            ("种植专业合作社", "养殖专业合作社", "果蔬专业合作社", "水产专业合作社")
        )
        prefix = district.name if district.kind != "district" else city.name + district.name
        place = (district.short,) if district.kind != "district" else (city.short, district.short)
        name = f"{prefix}{brand}{phrase}"
        if not self._claim(district.code, brand, phrase):
            return None
        return self._record(
            "93", district.code, name, city.name, district.name, "农业", brand, phrase, place
        )

    def branch(self) -> EnterpriseRecord | None:
        rng = self.rng
        parent = rng.choice(self.recent)
        city = self.cities[self.city(rng)]
        district = self.districts[city.code](rng)
        if district.short in parent.place:
            return None
        name = f"{parent.name}{district.short}分公司"
        return EnterpriseRecord(
            uscc=make_code("91", district.code, self.org_code()),
            name=name,
            region=city.name,
            district=district.name,
            industry=parent.industry,
            aliases=(),
            status=self.status(rng),
            brand=parent.brand,
            phrase=parent.phrase,
            place=parent.place,
            town=parent.town,
            branch=district.short,
        )

    def _record(
        self,
        prefix: str,
        division: str,
        name: str,
        region: str,
        district: str,
        industry: str,
        brand: str,
        phrase: str,
        place: tuple[str, ...],
        town: str = "",
    ) -> EnterpriseRecord:
        rng = self.rng
        aliases: tuple[str, ...] = ()
        if prefix == "91":
            roll = rng.random()
            word = phrase[:2]
            if roll < 0.35:
                aliases = (brand + word,)
            elif roll < 0.40:
                aliases = (brand,)
            elif roll < 0.42 and industry in EN_INDUSTRY:
                aliases = (f"{_latin(brand)} {EN_INDUSTRY[industry]}",)
        return EnterpriseRecord(
            uscc=make_code(prefix, division, self.org_code()),
            name=name,
            region=region,
            district=district,
            industry=industry,
            aliases=aliases,
            status=self.status(rng),
            brand=brand,
            phrase=phrase,
            place=place,
            town=town,
        )


def _latin(brand: str) -> str:
    return pinyin_key(brand).capitalize()


def generate_enterprises(n: int, seed: int = 2012) -> Iterator[EnterpriseRecord]:
    """n distinct synthetic enterprises with valid codes, the same for the same seed."""
    gen = _Generator(seed)
    for _ in range(n):
        yield gen()
