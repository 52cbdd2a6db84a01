"""The failure classes of the keyword router, each with texts written for this test.

Every text here is new: none is in the corpus the model is trained on. A class
fails if the learned router (with its few rules) gets any of its texts wrong.
"""

from __future__ import annotations

import pytest

from nlp.router import Router


@pytest.fixture(scope="module")
def router() -> Router:
    return Router()


def _dept(router: Router, text: str) -> str:
    return router.route(text).department


# -- homophone repair never rewrites a word jieba or the registry knows ---------


@pytest.mark.parametrize(
    "text, word",
    [
        ("影楼拍完婚纱照又说要加钱才给底片，合同里写好全部给的", "加钱"),
        ("我家楼下新开的净水店卖的滤芯是假的", "净水"),
        ("植保无人机打药把我家的菜苗打死了，农资公司不认账", "植保"),
        ("你们说的是哪条规定？我想知道怎么投诉", "哪条"),
    ],
)
def test_known_words_are_not_repaired(router: Router, text: str, word: str) -> None:
    result = router.route(text)
    assert result.explanation is not None
    assert all(wrong != word for wrong, _right in result.explanation.repaired)


def test_typo_repair_still_reads_a_misspelled_subject(router: Router) -> None:
    result = router.route("电悌又坏了，关了我们半个小时")
    assert result.department == "zhijian"
    assert result.explanation is not None and ("电悌", "电梯") in result.explanation.repaired


def test_photo_studio_extra_money_is_a_contract_dispute(router: Router) -> None:
    assert _dept(router, "影楼拍完婚纱照又说要加钱才给底片，合同里写好全部给的") == "gongshang"


# -- one type word does not decide alone ----------------------------------------


@pytest.mark.parametrize(
    "text, department",
    [
        ("在4S店买的新车开了一个月发动机就漏油，店里说只能修不能换，要求换车", "gongshang"),
        ("网上买的蓝色外套，店家发来的是黑色的，快递送到后找客服换货一直拖着", "gongshang"),
        ("餐厅服务员上菜时把汤洒我身上还翻白眼，经理也不道歉，服务太差", "shangwu"),
        ("药店把平时两块钱一个的口罩卖到十五块一个，趁疫情涨价", "wujia"),
        ("村口那个奶站收的鲜奶兑了水还加了东西，奶农都知道", "nongye"),
        ("手机坏了在保修期内，商家让我自己寄回去修，来回运费还要我出", "gongshang"),
    ],
)
def test_type_word_does_not_decide_alone(router: Router, text: str, department: str) -> None:
    assert _dept(router, text) == department


# -- kind -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind",
    [
        ("镇上有家小作坊用地沟油炸油条，卖给附近几所学校门口的摊贩，请你们去查", "tip"),
        ("我发现隔壁街的那家药店一直在卖过期的感冒药，很多老人在那买", "tip"),
        ("请问电动车头盔要有3C认证吗？在哪里能查到", "inquiry"),
        ("买的电饭煲用了两次就坏了，商家不给退，我要退款", "complaint"),
    ],
)
def test_kind(router: Router, text: str, kind: str) -> None:
    assert router.route(text).kind == kind


# -- English ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, department",
    [
        (
            "The developer was supposed to deliver our new apartment in June; it came in "
            "October with water leaking through the ceiling.",
            "zhujian",
        ),
        (
            "My mobile carrier moved me to a more expensive plan without asking and now "
            "my monthly bill doubled.",
            "tongxin",
        ),
        (
            "We got food poisoning after eating at a noodle place near the university; "
            "three of us were in hospital.",
            "shiyaojian",
        ),
    ],
)
def test_english(router: Router, text: str, department: str) -> None:
    assert _dept(router, text) == department


# -- out of scope goes to triage ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "我在一家饭店打工，老板欠了我们三个月工资不发",
        "物业费一年涨了两次，业主委员会也不开会，物业公司根本不理我们",
        "孩子的学校每学期都收什么资料费，老师还让买指定的辅导书",
        "我的社保断缴了半年，单位说是人事弄错了，现在医保卡不能用",
        "网贷平台借了五千，现在要还两万，天天打电话骚扰我的同事",
        "楼上邻居每天半夜拖椅子跳绳，吵得我们一家睡不着",
    ],
)
def test_out_of_scope_goes_to_triage(router: Router, text: str) -> None:
    assert _dept(router, text) == "triage"


# -- subjects no keyword names --------------------------------------------------------


@pytest.mark.parametrize(
    "text, department",
    [
        ("我常去的那家足疗店突然关门了，卡里还有两千多块钱没用完，老板电话也打不通", "shangwu"),
        ("这个月的水费按第三阶梯算的，可我家根本没用那么多，是不是算错档了", "wujia"),
        ("路口加油站的油气回收装置一直没开，加油的时候汽油味特别冲", "huanbao"),
    ],
)
def test_subjects_without_keywords(router: Router, text: str, department: str) -> None:
    assert _dept(router, text) == department


# -- the business named, registered or not ---------------------------------------------


@pytest.mark.parametrize(
    "text, company",
    [
        ("极兔速递把我的包裹弄丢了，网点一直推给总部", "极兔速递"),
        ("“时光印记婚纱摄影”收了定金后说档期满了，定金不退", "时光印记婚纱摄影"),
        ("从绿野苗圃买的两百棵桂花树苗，种下去一个月死了一大半", "绿野苗圃"),
        ("清泉浴室的热水时有时无，澡票涨价了也不说一声", "清泉浴室"),
    ],
)
def test_company_found_whether_registered_or_not(router: Router, text: str, company: str) -> None:
    assert router.route(text).company == company
