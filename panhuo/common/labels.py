"""Words for values users see: regions (GB/T 2260), periods, audit actions and objects, industry tags.

The one home for turning an internal value into the Chinese a user reads (templates use the filters in
`panhuo.common.templatetags.labels`; exports call these functions). Enum fields use Django's own
`get_FOO_display`; this module covers values that are not model choices.
"""

from __future__ import annotations

import re

# GB/T 2260 names of the provinces, and of the cities and districts the platform's data uses.
REGION_NAMES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
    "1101": "北京市市辖区", "3101": "上海市市辖区", "2101": "沈阳市", "2102": "大连市",
    "5001": "重庆市市辖区", "5002": "重庆市县",
    "500101": "万州区", "500102": "涪陵区", "500103": "渝中区", "500104": "大渡口区",
    "500105": "江北区", "500106": "沙坪坝区", "500107": "九龙坡区", "500108": "南岸区",
    "500109": "北碚区", "500110": "綦江区", "500111": "大足区", "500112": "渝北区",
    "500113": "巴南区", "500114": "黔江区", "500115": "长寿区", "500116": "江津区",
    "500117": "合川区", "500118": "永川区", "500119": "南川区", "500120": "璧山区",
    "500151": "铜梁区", "500152": "潼南区", "500153": "荣昌区", "500154": "开州区",
    "500155": "梁平区", "500156": "武隆区",
}  # fmt: skip


def _prefix(code: str) -> str:
    code = (code or "").strip()
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return "" if code in ("", "00") else code


def region_name(code: str | None) -> str:
    """ "500107" -> "重庆市九龙坡区", "5001" -> "重庆市市辖区", "500000" -> "重庆市", "" -> "全国"."""
    prefix = _prefix(code or "")
    if not prefix:
        return "全国"
    province = REGION_NAMES.get(prefix[:2], "")
    if len(prefix) == 2:
        return province or f"行政区划 {prefix}"
    own = REGION_NAMES.get(prefix)
    if own is None:
        return f"{province}（行政区划 {code}）" if province else f"行政区划 {code}"
    if own.startswith(province):
        return own
    city = REGION_NAMES.get(prefix[:4], "") if len(prefix) == 6 else ""
    if city.endswith(("市辖区", "县")) or not city:
        return province + own
    return province + city + own


# 企业资质 (EnterpriseProfile.qualifications, a list of these values); demand.models.Qualification takes its
# labels from here. The policy texts name them as the enterprises to mobilise (Liaoning 四, Dazhou 二, Jilin).
QUALIFICATION_NAMES: dict[str, str] = {
    "specialised": "专精特新",
    "little_giant": "专精特新小巨人",
    "high_tech": "高新技术企业",
    "tech_sme": "科技型中小企业",
    "ip_advantage": "知识产权优势/示范企业",
    "state_owned": "国有企业",
    "protection_centre": "知识产权保护中心备案主体",
}


def qualification_label(value: str) -> str:
    """ "state_owned" -> "国有企业"; an unknown value -> "其他资质" (never the stored value)."""
    return QUALIFICATION_NAMES.get(value, "其他资质")


_PERIOD = re.compile(r"^(\d{4})(?:-B([1-6]))?$")


def period_label(text: str | None) -> str:
    """ "2026-B1" -> "2026年1–2月", "2026" -> "2026年"; anything else is returned as it is."""
    m = _PERIOD.match((text or "").strip())
    if not m:
        return text or ""
    year, bimonth = m.group(1), m.group(2)
    if not bimonth:
        return f"{year}年"
    first = 2 * int(bimonth) - 1
    return f"{year}年{first}–{first + 1}月"


# Audit actions are "<entity>.<verb>"; a user reads "<entity in Chinese><verb in Chinese>".
AUDIT_ENTITIES = {
    "access": "访问", "anomaly": "异常线索", "audit": "审计日志", "auth": "登录认证", "classification": "分类体系",
    "college": "学院", "cooperation": "合作请求", "data": "数据", "deal": "交易", "enterprise": "企业名录",
    "enterprise_profile": "企业信息", "evaluation": "价值评估", "favourite": "收藏", "import": "导入",
    "inventory": "建档", "kpi": "考核指标", "matching": "匹配推送", "need": "技术需求", "open_licence": "开放许可",
    "organization": "单位", "patent": "专利", "patents": "专利", "pledge": "质押融资", "product_filing": "专利产品备案",
    "programme": "资助项目", "subscription": "订阅", "subsidy": "资助", "survey": "调查", "system": "系统", "user": "用户",
}  # fmt: skip
AUDIT_ACTIONS = {
    "access.denied": "访问被拒绝", "auth.login": "登录", "auth.logout": "退出登录", "auth.lockout": "账户锁定",
    "auth.otp_enrol": "绑定动态口令", "auth.otp_verify": "动态口令验证", "auth.password_change": "修改密码",
    "audit.archive": "审计日志归档", "audit.export": "导出审计日志", "audit.verify": "校验审计哈希链",
    "data.export": "导出数据", "system.backup": "系统备份", "system.restore": "系统恢复",
    "kpi.indicator_manual": "考核指标手工填报", "kpi.programme_create": "创建考核方案", "kpi.snapshot": "考核指标快照",
    "anomaly.case_review": "异常线索核查", "anomaly.rule_configure": "异常规则设置", "anomaly.run": "运行异常规则",
    "evaluation.assessment_enterprise": "企业评价专利", "evaluation.score_job_create": "发起批量评分",
    "evaluation.scores_recompute": "重新评分", "evaluation.tier_rules_set": "设置分级规则",
    "evaluation.weightset_create": "创建权重方案", "matching.push_digest": "推送匹配摘要",
    "matching.push_preference_set": "设置推送偏好", "matching.push_run_start": "开始推送",
    "matching.push_unsubscribe": "退订推送", "matching.index_build_request": "请求重建匹配索引",
    "patent.transfer_complete": "专利转让完成", "patents.industries_compute": "计算专利所属产业",
    "classification.derived_build": "生成派生对照表", "classification.edition_import": "导入分类版本",
    "classification.edition_activate": "启用分类版本", "subsidy.application_reject": "驳回资助申请",
    "subsidy.batch_approve": "批准资助批次", "subsidy.batch_create": "创建资助批次", "survey.submit": "提交调查",
    "user.otp_reset": "重置动态口令", "user.role_change": "变更用户角色", "user.unlock": "解锁用户",
    "import.batch": "导入一批数据", "import.done": "导入完成", "import.fail": "导入失败",
    "enterprise.import_create": "导入新增企业", "enterprise.import_update": "导入更新企业",
    "deal.income_rule": "设置收益分配规则", "deal.instalment": "添加付款计划", "deal.inventors": "设置发明人份额",
    "deal.payment": "登记到账", "deal.filing": "登记备案", "deal.advance": "推进交易", "deal.approve": "复核交易",
    "inventory.autoassign": "自动分配建档", "inventory.converted": "标记已转化", "inventory.open": "开启建档",
    "pledge.submit": "提交质押融资申请", "pledge.supplement": "补充质押融资材料", "pledge.withdraw": "撤回质押融资申请",
    "pledge.approve": "批准质押融资", "pledge.reject": "拒绝质押融资", "pledge.more_info": "要求补充质押融资材料",
    "pledge.register": "登记专利权质押", "pledge.repay": "登记还款解押", "deal.schedule": "生成先使用后付费付款计划",
    "deal.schedule_confirm": "确认付款计划", "evaluation.fee_dates_refresh": "刷新年费日历",
    "subsidy.scheme_create": "创建奖补方案", "subsidy.scheme_revise": "修改奖补方案（生成新版本）",
    "subsidy.pledge_figures": "填报质押贷款付息与保费", "kpi.programme_scope": "设置考核统计范围",
    "programme.project_create": "创建事前资助项目", "programme.project_self_evaluate": "提交项目年度自评",
    "programme.project_accept": "事前资助项目验收",
}  # fmt: skip
AUDIT_VERBS = {
    "create": "创建", "update": "修改", "delete": "删除", "close": "关闭", "publish": "发布", "answer": "答复",
    "reply": "回复", "add": "添加", "remove": "移除", "accept": "接受", "declare": "声明", "withdraw": "撤回",
    "assign": "分配", "enable": "启用", "disable": "停用", "fill": "填写", "submit": "提交", "approve": "审核通过",
    "return": "退回", "review": "审核",
}  # fmt: skip


def audit_action_label(action: str | None) -> str:
    """ "kpi.indicator_manual" -> "考核指标手工填报", "need.publish" -> "技术需求发布"."""
    action = action or ""
    if action in AUDIT_ACTIONS:
        return AUDIT_ACTIONS[action]
    entity, _, verb = action.partition(".")
    name = AUDIT_ENTITIES.get(entity)
    if name and verb in AUDIT_VERBS:
        return name + AUDIT_VERBS[verb]
    if name:
        return f"{name}操作"
    return "其他操作"


AUDIT_RESULTS = {"ok": "成功", "fail": "失败", "denied": "拒绝"}


def audit_result_label(result: str | None) -> str:
    return AUDIT_RESULTS.get(result or "", "其他")


def audit_object_label(object_type: str | None, object_id: object = "") -> str:
    """ "monitoring.KpiIndicator", 9 -> "考核指标 #9" (the model's verbose name; never the dotted name)."""
    from django.apps import apps

    object_type = object_type or ""
    if not object_type:
        return ""
    label = ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        model = None
    if model is not None:
        verbose = str(model._meta.verbose_name)
        if re.search(r"[\u4e00-\u9fff]", verbose):
            label = verbose
    if not label:
        entity = re.sub(r"(?<!^)(?=[A-Z])", "_", object_type.rpartition(".")[2]).lower()
        label = AUDIT_ENTITIES.get(entity) or OBJECT_NAMES.get(entity, "记录")
    return f"{label} #{object_id}" if object_id not in ("", None) else label


OBJECT_NAMES = {
    "kpi_indicator": "考核指标", "kpi_programme": "考核方案", "kpi_snapshot": "考核快照", "anomaly_case": "异常线索",
    "anomaly_run": "异常规则运行", "inventory_record": "建档记录", "deal": "交易", "payment": "到账",
    "filing": "备案登记", "need": "技术需求", "need_answer": "需求答复", "cooperation_request": "合作请求",
    "import_job": "导入任务", "score_job": "评分任务", "subsidy_batch": "资助批次",
    "subsidy_application": "资助申请", "open_licence_declaration": "开放许可声明", "organization": "单位",
    "user": "用户", "college": "学院", "weight_set": "权重方案", "index_build": "匹配索引",
    "enterprise_profile": "企业信息", "subscription": "订阅", "favourite": "收藏", "survey_response": "调查",
    "classification_edition": "分类版本", "patent": "专利", "audit_event": "审计日志",
    "subsidy_scheme": "奖补方案", "funded_project": "事前资助项目", "pledge_loan_figures": "质押贷款付息与保费",
}  # fmt: skip

# Industry tags of the reference data (reference/industry/gbt4754_2017_special_tags.csv): code -> name.
TAG_NAMES = {
    "culture": "文化及相关产业",
    "digital": "数字经济及其核心产业",
    "highTech_mfg": "高技术产业（制造业）",
    "highTech_svc": "高技术产业（服务业）",
    "ip_intensive": "知识产权（专利）密集型产业",
    "pension": "养老产业",
    "strategic": "战略性新兴产业",
}


def industry_label(code: str | None, name: str | None = "") -> str:
    """A GB/T 4754 code with its name ("C38 电气机械和器材制造业"); a tag by its name only."""
    code, name = code or "", name or ""
    if code and re.fullmatch(r"[A-T]?\d[\d.]{0,8}", code):
        return f"{code} {name}".strip()
    return name or TAG_NAMES.get(code, "其他产业")


_SOURCE_PATH = re.compile(r"(?:shared/)?seeds/[\w.-]+\s*")
_SOURCE_TITLE = re.compile(
    r"^(?P<article>.*?)\s*\((?P<title>[^()]+?)(?:,\s*(?P<date>\d{4}-\d{2}-\d{2}))?\)\s*$"
)


def policy_source(text: str | None) -> str:
    """A policy reference by title and article, never a file path.

    "shared/seeds/003_….txt 二(二) 专利转化绩效奖补 (重庆高新区…工作方案, 2024-04-15)"
    -> "《重庆高新区…工作方案》（2024-04-15）二(二) 专利转化绩效奖补".
    """
    text = _SOURCE_PATH.sub("", text or "").strip()
    m = _SOURCE_TITLE.match(text)
    if not m:
        return text
    date = f"（{m.group('date')}）" if m.group("date") else ""
    return f"《{m.group('title').strip()}》{date}{m.group('article').strip()}"


_MATCH_LABEL = re.compile(r"\b(ipc|gbt4754|sei|tag):([A-Za-z0-9_.]+)")
MATCH_SCHEMES = {"ipc": "IPC", "gbt4754": "国民经济行业", "sei": "战略性新兴产业"}


def match_reason(text: str | None) -> str:
    """A match reason with its classification labels in words: "同属分类/行业：gbt4754:40" -> "… 国民经济行业 40"."""

    def word(m: re.Match[str]) -> str:
        scheme, code = m.group(1), m.group(2)
        if scheme == "tag":
            return TAG_NAMES.get(code, "产业标签")
        return f"{MATCH_SCHEMES[scheme]} {code}"

    return _MATCH_LABEL.sub(word, text or "")
