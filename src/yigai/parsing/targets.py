"""Quantitative targets in running text and in indicator tables.

A target is a value with a unit (or a ratio such as 1:2) governed by a
comparator word (以上/不低于/达到 … ≥, 以下/以内/控制在 … ≤, 左右 ≈, ranges),
or a count of things to build (建设1-2家…, 创建10家以上…). The metric is the
noun phrase the comparator applies to.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from yigai.domain.plan import Comparator, Span, Target, TargetAttribute
from yigai.parsing.deadlines import find_dates
from yigai.parsing.normalize import NormalizedText

UNITS = (
    "个百分点",
    "人(次)",
    "1/10万",
    "/10万",
    "1/万",
    "/万",
    "万单管",
    "万人次",
    "万人",
    "万名",
    "万元",
    "亿元",
    "平方米",
    "公里",
    "分钟",
    "小时",
    "人次",
    "%",
    "‰",
    "‱",
    "张",
    "人",
    "名",
    "家",
    "所",
    "个",
    "项",
    "次",
    "岁",
    "天",
    "元",
    "倍",
    "级",
    "种",
    "支",
    "座",
    "台",
    "辆",
    "套",
    "户",
    "例",
)
COUNT_UNITS = ("家", "所", "个", "名", "支", "座", "项", "种", "台", "万名", "人次", "万人次", "辆", "套", "户", "例")
# Longest first, so that 万人次 is not read as 万人 and 人次 not as 人.
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_NUM = r"\d+(?:\.\d+)?"
# 万分之1.75 (of the population), 十万分之18
_PER_PART = {"千": "‰", "万": "1/万", "十万": "1/10万"}
VALUE_RE = re.compile(
    rf"(?P<ratio>1\s*:\s*(?P<rv>{_NUM}))"
    rf"|(?P<part>十万|万|千)分之(?P<pv>{_NUM})"
    rf"|(?P<v1>{_NUM})\s*(?P<u1>{_UNIT_RE})?\s*(?:(?P<sep>[-~—至])\s*(?P<v2>{_NUM})\s*(?P<unit>{_UNIT_RE})?)?"
    r"(?P<per>/(?:月|年|日|天|周|季度))?"  # 不少于25次/月
)

GE_WORDS = (
    "最低为",
    "提到",
    "不低于",
    "不少于",
    "不小于",
    "至少",
    "力争达到",
    "达到",
    "提高到",
    "提升到",
    "提高至",
    "提升至",
    "增加到",
    "增长到",
    "增至",
    "超过",
    "高于",
    "大于",
    "达",
    "实现",
)
LE_WORDS = (
    "最高为",
    "不得高于",
    "不得超过",
    "不高于",
    "不超过",
    "不大于",
    "控制在",
    "降低到",
    "降低至",
    "降到",
    "降至",
    "下降到",
    "下降至",
    "减少到",
    "缩短到",
    "缩短至",
    "低于",
    "小于",
    "最多",
)
EQ_WORDS = ("保持在", "稳定在", "为", "在")
_PREFIX_WORDS = sorted(
    [(w, Comparator.GE) for w in GE_WORDS]
    + [(w, Comparator.LE) for w in LE_WORDS]
    + [("约", Comparator.APPROX)]
    + [(w, Comparator.EQ) for w in ("保持在", "稳定在")]
    + [
        ("≥", Comparator.GE),
        ("≤", Comparator.LE),
        (">", Comparator.GE),
        ("<", Comparator.LE),
        ("＞", Comparator.GE),
        ("＜", Comparator.LE),
        (">=", Comparator.GE),
        ("<=", Comparator.LE),
        ("巩固在", Comparator.GE),
        ("维持在", Comparator.EQ),
    ],
    key=lambda item: len(item[0]),
    reverse=True,
)
SUFFIX_GE = ("及以上", "以上")
SUFFIX_LE = ("及以下", "以下", "以内")
SUFFIX_APPROX = ("左右",)
COUNT_VERBS = (
    "建设",
    "创建",
    "建成",
    "培育",
    "打造",
    "新建",
    "新增",
    "引进",
    "培养",
    "争创",
    "设立",
    "组建",
    "建立",
    "配备",
    "配置",
    "抽调",
    "培训",
    "设置",
    "招聘",
    "引育",
    "遴选",
    "推荐",
    "改造",
    "布局",
    "规划建设",
    "完成",
    "改扩建",
    "扶持",
)
_MONEY_UNITS = ("元", "万元", "亿元")
_PER_POP_RE = re.compile(r"(?:常住人口|户籍人口|服务人口|人口)$")
_PER_HEAD_RE = re.compile(r"(?:每人每年|每人每月|每人|每年|每月|人均)$")
_RAISE_WORDS = (
    "提高到",
    "提高至",
    "提升到",
    "提升至",
    "增加到",
    "增长到",
    "增至",
    "达到",
    "不低于",
    "提到",
    "降到",
    "降低到",
    "降低至",
    "降至",
    "下降到",
    "下降至",
    "减少到",
    "压缩到",
)
_COUNT_VERB_RE = re.compile("|".join(sorted(COUNT_VERBS, key=len, reverse=True)))
# A measurable noun right before a bare value: 覆盖率80%, 医师数3.2人, 平均住院日8.5日
_MEASURE_END_RE = re.compile(r"(?:率|比例|比重|占比|覆盖面|人数|数|量|水平|寿命|半径|时间|指数|住院日|天数|比)$")
# A value that sets a condition or reports the past, not a target: "比例达到70%的，给予…", "已达到"
_CONDITION_AFTER_RE = re.compile(r"^(?:以上|以下|以内|及以上|及以下)?的(?:[,，]|部分|给予|按|由|可|不予|予以|,)")
_PAST_RE = re.compile(r"已(?:经)?(?:达到|实现|完成|超过|建成|覆盖)|达到了|实现了|完成了|超额完成")

_LEAD_FILLERS = re.compile(
    r"^(?:(?:到|至|在|于)?(?:\d{4}年(?:底|末)?|[“\"]?十[一二三四五]五[”\"]?(?:期末|末|期间)?)(?:前|时)?[,，]?|力争|争取|确保|全区|全市|全县|我区|本区|我市|本市|"
    r"使|将|其中|逐步|进一步|努力|实现|基本(?=实现|建成|达到|完成|形成|覆盖)|年均|每年|到期|并|且|同时|和|以及|原则上)+"
)
_TRAIL_FILLERS = re.compile(r"(?:总体|分别|均|各|稳步|逐步|持续|将|要|应|可|能|需|的|,)+$")
_SCOPES = (
    "户籍人口",
    "常住人口",
    "重点人群",
    "外来人口",
    "适龄女性",
    "老年人",
    "65岁以上",
    "儿童",
    "孕产妇",
    "在岗职工",
)


@dataclass(slots=True)
class _Value:
    value: float | None
    high: float | None
    unit: str
    start: int
    end: int
    is_ratio: bool = False


def _comparator(before: str, after: str, value: _Value) -> tuple[Comparator | None, str]:
    """Comparator from the words around a value; suffix words win (控制在25%左右 is ≈)."""
    before = _PER_HEAD_RE.sub("", before)  # 提高到每人每年79元
    before = _PER_POP_RE.sub("", before)  # 达到常住人口万分之1.75
    for w in SUFFIX_APPROX:
        if after.startswith(w):
            return Comparator.APPROX, w
    for w in SUFFIX_GE:
        if after.startswith(w):
            return Comparator.GE, w
    for w in SUFFIX_LE:
        if after.startswith(w):
            return Comparator.LE, w
    if value.high is not None:
        return Comparator.RANGE, ""
    tail = before[-6:]
    for w, comp in _PREFIX_WORDS:
        if tail.endswith(w):
            return comp, w
    if re.search(r"(?:比例|比重|率|数|水平)为$", tail):
        return Comparator.EQ, "为"
    if re.search(r"至少|不少于", before):
        return Comparator.GE, ""
    return None, ""


_COMPARATOR_TAIL_RE = re.compile(
    "(?:"
    + "|".join(
        re.escape(w)
        for w in sorted(
            GE_WORDS
            + LE_WORDS
            + EQ_WORDS
            + (
                "约",
                "力争",
                "争取",
                "或",
                "要",
                "至少",
                "可",
                "将",
                "按",
                "按规定",
                "巩固在",
                "维持在",
                "≥",
                "≤",
                ">",
                "<",
                "＞",
                "＜",
                "=",
            ),
            key=len,
            reverse=True,
        )
    )
    + ")$"
)
_BASELINE_RE = re.compile(
    rf"(?:由|从)\s*(?:\d{{4}}年)?(?:每人每年|每人每月|人均)?\s*({_NUM})\s*(?:{_UNIT_RE})?\s*(?:提高|提升|增加|降低|下降|减少|调整)(?:到|至)"
)
_BASELINE_TAIL_RE = re.compile(
    rf"(?:由|从)\s*(?:\d{{4}}年)?(?:每人每年|每人每月|人均)?\s*{_NUM}\s*(?:{_UNIT_RE})?\s*(?:提高|提升|增加|降低|下降|减少|调整)(?:到|至)?(?:每人每年|每人每月|人均)?$"
)


def _strip_comparator_words(head: str) -> str:
    head = _PER_POP_RE.sub("", _BASELINE_TAIL_RE.sub("", head))
    prev = None
    while prev != head:
        prev = head
        head = _COMPARATOR_TAIL_RE.sub("", head)
    return head


def _list_start(sentence: str, upto: int) -> int:
    """Start of the list item ending at ``upto``: after the last , ; 、 or 和."""
    cut = max(sentence.rfind(ch, 0, upto) for ch in ",;:、和")
    return cut + 1


def _inside_parens(sentence: str, pos: int) -> bool:
    before = sentence[:pos]
    return before.count("(") > before.count(")")


def _clean_metric(text: str) -> str:
    text = re.sub(r"^[,，、;:\s]+", "", text)
    prev = None
    while prev != text:
        prev = text
        text = _LEAD_FILLERS.sub("", text)
        text = _TRAIL_FILLERS.sub("", text)
    return text.strip(" ,，、")


def _scope(text: str) -> str:
    return next((s for s in _SCOPES if s in text), "")


def _values(sentence: str) -> list[_Value]:
    out: list[_Value] = []
    for m in VALUE_RE.finditer(sentence):
        if m.group("ratio"):
            out.append(_Value(float(m.group("rv")), None, "比", m.start(), m.end(), True))
            continue
        if m.group("part"):
            out.append(_Value(float(m.group("pv")), None, _PER_PART[m.group("part")], m.start(), m.end()))
            continue
        unit = m.group("unit") or m.group("u1") or ""
        if unit == "/10万":
            unit = "1/10万"
        before = sentence[max(m.start() - 1, 0) : m.start()]
        after = sentence[m.end() : m.end() + 2]
        if before in ("第", "〔", "[", "《") or before.isdigit():
            continue
        if re.match(r"[年月日号条届期轮版]", after) and not unit:
            continue
        if unit == "" or (m.group("sep") and m.group("u1") and m.group("unit") and m.group("u1") != m.group("unit")):
            continue
        if unit == "岁" and re.match(r"(?:及)?(?:以上|以下)?[\u4e00-\u9fff]", sentence[m.end() :]):
            continue  # an age qualifier such as 65岁以上老年人
        v1 = float(m.group("v1"))
        v2 = float(m.group("v2")) if m.group("v2") else None
        if m.group("v1").startswith(("19", "20")) and len(m.group("v1")) == 4 and not unit:
            continue
        if unit == "人(次)":
            unit = "人次"
        if m.group("per") and unit not in ("%", "‰", "‱"):
            unit += m.group("per")
        out.append(_Value(v1, v2, unit, m.start(), m.end()))
    return out


def _metric_start(sentence: str, upto: int) -> int:
    """Start of the clause that holds the metric: after the last , ; : before ``upto``."""
    cut = max(sentence.rfind(ch, 0, upto) for ch in ",;:，；：")
    return cut + 1


def _split_shared(metric: str, n: int) -> list[str]:
    """孕产妇和婴儿死亡率 → [孕产妇死亡率, 婴儿死亡率] for 分别 with ``n`` values."""
    parts = [p for p in re.split(r"和|、|及", metric) if p]
    if len(parts) != n:
        return [metric] * n
    last = parts[-1]
    suffix = ""
    for cand in ("比例", "利用率", "死亡率", "覆盖率", "比重", "率", "比", "数"):
        if last.endswith(cand) and len(last) > len(cand):
            suffix = last[-3:] if cand == "率" and len(last) >= 3 else cand
            break
    return [p if p.endswith(suffix) else p + suffix for p in parts[:-1]] + [last]


_TWO_RATES_RE = re.compile(r"(?P<a>.+?(?:率|比例|占比|比重))(?:和|及|以及)(?P<b>[^、,，]{1,8}?(?:率|比例|占比|比重))")


def _two_rates(metric: str) -> list[str]:
    """ "消费维权处置率和反馈率达100%" → 消费维权处置率, 消费维权反馈率 (one value, two measures)."""
    m = _TWO_RATES_RE.fullmatch(metric)
    if not m or len(m.group("b")) >= len(m.group("a")):
        return [metric]
    a, b = m.group("a"), m.group("b")
    return [a, a[: len(a) - len(b)] + b]


def targets_in_sentence(
    sentence: str, base: int, norm: NormalizedText, context_due: dt.date | None = None
) -> list[Target]:
    """Targets in one sentence (``base`` = its normalised offset)."""
    values = _values(sentence)
    targets: list[Target] = []
    dates = [d for d in find_dates(sentence)]
    last_count_stop: int | None = None
    i = 0
    while i < len(values):
        group = [values[i]]
        # values joined by 和/、 share the metric and trailing comparator (分别…)
        while i + len(group) < len(values):
            nxt = values[i + len(group)]
            gap = sentence[group[-1].end : nxt.start]
            if re.fullmatch(r"\s*(?:以上|以下|左右|以内)?\s*(?:和|、|及)\s*", gap):
                group.append(nxt)
            else:
                break
        i += len(group)
        first, last = group[0], group[-1]
        before = sentence[max(0, first.start - 8) : first.start]
        after = sentence[last.end : last.end + 4]
        comp, word = _comparator(before, after, last)
        if comp is None:
            comp, word = _comparator(before, sentence[first.end : first.end + 4], first)
        scale_metric = ""
        if comp in (None, Comparator.RANGE) and not word and _inside_parens(sentence, first.start):
            scale = re.match(r"(床位)?规模", sentence[last.end :])
            if not scale:
                continue  # a descriptive figure in brackets
            opener = sentence.rfind("(", 0, first.start)
            head = sentence[_list_start(sentence, opener) : opener]
            scale_metric = _clean_metric(
                re.sub(r"^(?:有力|加快|全力)?(?:推进|建设|启动|新建|迁建)", "", head)
            ) + scale.group(0)
            comp = comp or Comparator.EQ
        if _CONDITION_AFTER_RE.match(sentence[last.end :]):
            continue  # "报销比例达到70%的，给予补助": a condition, not a target
        count_metric = ""
        if first.unit in COUNT_UNITS and not first.is_ratio:
            pre = sentence[max(0, first.start - 4) : first.start]
            clause = sentence[_metric_start(sentence, first.start) : first.start]
            continues_list = last_count_stop is not None and sentence[last_count_stop : first.start] in (
                "、",
                "和",
                "及",
                "、和",
                ",",
                "，",
            )
            composed = (
                pre.endswith("由") and re.search(r"^[^。;；]*?组成", sentence[last.end :]) is not None
            )  # 由3名A、25名B组成
            if (
                continues_list
                or composed
                or any(pre.endswith(v) or pre.endswith(v + "了") for v in COUNT_VERBS)
                or (_COUNT_VERB_RE.search(clause) is not None)
                or (
                    re.match(r"(?:加快|加强|推进|推动|实施)", clause)
                    and re.match(r"[^,，;；。]*?(?:建设|创建|改造|新建|改扩建|验收)", sentence[last.end :])
                )
            ):
                tail = sentence[last.end :]
                tail = re.sub(r"^(?:以上|左右|及以上)", "", tail)
                stop = re.search(r"[,;，；。、(]|组成|和(?=\d)|[和及](?=若干|一批)|以及|和(?=[^,;，；。]*?\d)", tail)
                count_metric = tail[: stop.start()] if stop else tail
                last_count_stop = (
                    last.end + (len(sentence[last.end :]) - len(tail)) + (stop.start() if stop else len(tail))
                )
                count_metric = re.sub(r"^的", "", count_metric)
                if len(count_metric) < 2 or _COUNT_VERB_RE.match(count_metric):
                    # 设立急救站123个, 培训专业急救员2万名、群众30万人次: the noun is before the number
                    item = sentence[_list_start(sentence, first.start) : first.start]
                    verbs = list(_COUNT_VERB_RE.finditer(item))
                    noun = item[verbs[-1].end() :] if verbs else item
                    noun = re.sub(r"各$", "", noun)
                    count_metric = noun if 2 <= len(noun) <= 30 and not re.search(r"\d", noun) else ""
                if comp is None and count_metric:
                    comp = Comparator.RANGE if first.high is not None else Comparator.EQ
        if comp is None and sentence[max(0, first.start - 1) : first.start] == "占":
            item = sentence[_list_start(sentence, first.start) : first.start - 1]  # 其中A占60%、B占30%
            if 1 <= len(_clean_metric(item)) <= 30:
                count_metric, comp = f"{_clean_metric(item)}占比", Comparator.EQ
        if (
            comp is None
            and not first.is_ratio
            and _MEASURE_END_RE.search(sentence[_metric_start(sentence, first.start) : first.start])
        ):
            comp = Comparator.RANGE if first.high is not None else Comparator.EQ  # a bare 覆盖率80%
        if comp is None and first.unit in COUNT_UNITS and re.search(r"包括|其中|分别为", sentence[: first.start]):
            item = sentence[_list_start(sentence, first.start) : first.start]
            item = re.sub(r"^.*?包括", "", item)
            if 2 <= len(item) <= 30 and not re.search(r"\d", item):
                count_metric, comp = _clean_metric(item), Comparator.EQ
        share_metric = ""
        if (
            comp in (None, Comparator.RANGE)
            and first.start > 0
            and sentence[first.start - 1] == "的"
            and first.unit in ("%", "‰", "倍")
        ):
            clause_start = _metric_start(sentence, first.start)
            clause = sentence[clause_start : first.start - 1]
            for w, wcomp in _PREFIX_WORDS:
                k = clause.find(w)
                if k > 0 and len(w) > 1:
                    whole, part = _clean_metric(clause[:k]), clause[k + len(w) :]
                    share_metric = f"{whole}占{part}比例" if first.unit != "倍" else f"{whole}与{part}之比"
                    comp = comp or wcomp
                    break
        if comp is None:
            continue
        raised = word in _RAISE_WORDS or any(_PER_HEAD_RE.sub("", before).endswith(w) for w in _RAISE_WORDS)
        if first.unit in _MONEY_UNITS and not (
            raised or _BASELINE_RE.search(sentence[max(0, first.start - 20) : first.start])
        ):
            continue  # amounts of money are caps, thresholds and budgets unless the plan raises them to a level
        baseline = None
        m_base = _BASELINE_RE.search(sentence[max(0, first.start - 20) : first.start])  # 由8%提高到12%
        if m_base:
            baseline = float(m_base.group(1))
        if scale_metric or share_metric:
            metrics = [scale_metric or share_metric] * len(group)
        elif count_metric:
            metrics = [count_metric.strip()] * len(group)
        else:
            head = sentence[_metric_start(sentence, first.start) : first.start]
            metric = _clean_metric(_strip_comparator_words(head.replace("至少要", "").replace("至少", "")))
            follow = re.match(
                r"(?:以上|以下|以内|左右)?的?([^,;，；。、]{2,30}?)(?:及时|用于|拨付|[,;，；。]|$)",
                sentence[last.end :],
            )
            if follow and (
                len(metric) < 2
                or metric.endswith(("将", "按"))
                or (len(metric) < 4 and sentence[last.end :].startswith(("的", "以上的")))
            ):
                metric = follow.group(1)  # 确保90%以上基层医疗卫生机构服务能力达到基本标准
            if not metric and _BASELINE_TAIL_RE.search(
                head
            ):  # "补助标准，从74元提高到79元": the clause before names it
                cut = _metric_start(sentence, first.start) - 1
                metric = _clean_metric(sentence[_metric_start(sentence, cut) : cut]) if cut > 0 else ""
            metrics = _split_shared(metric, len(group)) if len(group) > 1 else _two_rates(metric)
        if not any(metrics) or all(len(m) < 2 for m in metrics):
            continue
        due = context_due
        before_dates = [d for d in dates if d.start < first.start] or dates
        if before_dates:
            due = max(before_dates, key=lambda d: d.date).date
        raw_start = base + _metric_start(sentence, first.start)
        raw_end = base + last.end
        suffix = re.match(r"以上|以下|以内|左右|及以上|及以下", sentence[last.end :])
        if suffix:
            raw_end += suffix.end()
        pairs = (
            list(zip(group, metrics, strict=True)) if len(metrics) == len(group) else [(group[0], m) for m in metrics]
        )
        for val, metric in pairs:
            own, _w = _comparator("", sentence[val.end : val.end + 4], val)
            comp_i = own if own is not None and len(group) > 1 else comp
            if comp is Comparator.RANGE and val.high is None:
                comp_i = Comparator.EQ
            unit = val.unit or last.unit
            raw = norm.text[raw_start:raw_end]
            targets.append(
                Target(
                    raw=raw,
                    metric=metric,
                    comparator=comp_i,
                    value=val.value,
                    value_high=val.high,
                    unit="1:x" if unit == "比" else unit,
                    scope=_scope(sentence[_metric_start(sentence, val.start) : val.end]),  # the value's own clause
                    baseline=baseline,
                    due=due,
                    span=norm.span(raw_start, raw_end),
                    provenance={"value": norm.span(base + val.start, base + val.end)},
                )
            )
    return targets


_SENTENCE_RE = re.compile(r"[^。;!?\n]+[。;!?]?")
_ALL_RE = re.compile(
    r"全部(?:完成|开展|建成|实现|纳入|达标|达到|接受|具备)|全覆盖$"
    r"|^(?:[^,，;；。]{0,6})所有[^,，;；。]{2,24}?(?:均|都|全部)?(?:达到|具备|开设|接受|纳入|实现|建成|能够|开展)"
)
_CLAUSE_RE = re.compile(r"[^,，;；:：。]+")


def all_targets(sentence: str, base: int, norm: NormalizedText, taken: list[Target]) -> list[Target]:
    """ "全区公立医疗机构全部完成互联网医院建设" → a 100% target (全部 / 全覆盖 mean all)."""
    out: list[Target] = []
    dates = find_dates(sentence)
    for m in _CLAUSE_RE.finditer(sentence):
        clause = m.group(0).rstrip("。;!? ")
        if not _ALL_RE.search(clause) or len(clause) < 6:
            continue
        start, end = base + m.start(), base + m.end()
        if any(t.span and norm.span(start, end).start <= t.span.start < norm.span(start, end).end for t in taken):
            continue
        metric = _clean_metric(re.sub(r"全部|所有|实现|均|都", "", clause).replace("全覆盖", "覆盖"))
        if len(metric) < 4:
            continue
        due = max(dates, key=lambda d: d.date).date if dates else None
        out.append(
            Target(
                raw=clause.strip(),
                metric=metric,
                comparator=Comparator.EQ,
                value=100.0,
                unit="%",
                scope=_scope(clause),
                due=due,
                span=norm.span(start, end),
                implicit=True,
            )
        )
    return out


def targets_in_text(text: str, base: int, norm: NormalizedText) -> list[Target]:
    """Targets in a paragraph; a sentence without a date takes the last date stated before it."""
    found: list[Target] = []
    mentions = [
        d
        for d in find_dates(text)
        if not d.year_only or re.match(r"(?:到|至|在)?", text[max(0, d.start - 1) : d.start])
    ]
    for m in _SENTENCE_RE.finditer(text):
        if _PAST_RE.search(m.group(0)):
            continue  # "2020年全市孕产妇死亡率为10.5/10万，已达到目标": an achievement
        earlier = [
            d
            for d in mentions
            if d.end <= m.start() and (not d.year_only or text[max(0, d.start - 1) : d.start] in ("到", "至"))
        ]
        context_due = earlier[-1].date if earlier else None
        numeric = targets_in_sentence(m.group(0), base + m.start(), norm, context_due)
        found += numeric + all_targets(m.group(0), base + m.start(), norm, numeric)
    return found


# ---- indicator tables -------------------------------------------------------------

_TABLE_VALUE_RE = re.compile(
    rf"(?P<label>[^\d≥≤<>=]*?)\s*(?P<op>≥|≤|>|<|=|＞|＜)?\s*(?P<v1>{_NUM})(?:\s*[-~—]\s*(?P<v2>{_NUM}))?"
)
_NAME_UNIT_RE = re.compile(
    r"^(?P<name>.+?)\s*[(（](?P<unit>[%‰‱]|1/10\s*万|/10万|岁|张|人|名|个|家|分钟|元|倍|次)[)）]$"
)


def parse_table_value(cell: str) -> tuple[Comparator | None, float | None, float | None, str]:
    """ "≥82.8", "0.25-0.3", "接种率≥98", "84.98" → comparator, value, high, label."""
    text = re.sub(r"\s+", "", cell)
    m = _TABLE_VALUE_RE.search(text)
    if not m:
        return None, None, None, ""
    v1 = float(m.group("v1"))
    v2 = float(m.group("v2")) if m.group("v2") else None
    op = m.group("op")
    if v2 is not None:
        comp = Comparator.RANGE
    elif op in ("≥", ">", "＞"):
        comp = Comparator.GE
    elif op in ("≤", "<", "＜"):
        comp = Comparator.LE
    else:
        comp = Comparator.EQ
    if "左右" in text:
        comp = Comparator.APPROX
    elif "以上" in text:
        comp = Comparator.GE
    elif "以下" in text or "以内" in text:
        comp = Comparator.LE
    return comp, v1, v2, (m.group("label") or "").strip()


def split_name_unit(name: str) -> tuple[str, str]:
    """ "婴儿死亡率（‰）" → ("婴儿死亡率", "‰")."""
    compacted = re.sub(r"\s+", "", name)
    m = _NAME_UNIT_RE.match(compacted)
    if not m:
        return compacted, ""
    return m.group("name"), m.group("unit").replace(" ", "")


def parse_attribute(cell: str) -> TargetAttribute | None:
    if "约束" in cell:
        return TargetAttribute.BINDING
    if "预期" in cell:
        return TargetAttribute.EXPECTED
    return None


def first_number(cell: str) -> float | None:
    m = re.search(_NUM, cell.replace(" ", ""))
    return float(m.group(0)) if m else None


def span_of(norm: NormalizedText, start: int, end: int) -> Span:
    return norm.span(start, end)
