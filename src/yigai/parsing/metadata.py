"""Plan metadata: 文号, issuer, signing date, title, region, level, type, validity."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from yigai.domain.plan import PlanLevel, PlanMeta, PlanType
from yigai.parsing.deadlines import FIVE_YEAR_PLANS, find_dates
from yigai.parsing.normalize import NormalizedText

DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*\d{1,4}\s*号")
_ISSUER_HEADER_RE = re.compile(r"^(?P<issuer>[\u4e00-\u9fff()（）\s]{4,40}?)\s*文\s*件$")
_DATE_LINE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_NOTICE_TITLE_RE = re.compile(
    r"(?:印发|下发|转发|发布)\s*《(?P<title>[^《》]{4,120}?)》\s*(?:的)?\s*通\s*知"
    r"|现将\s*《(?P<title2>[^《》]{4,120}?)》\s*(?:印发|下发|转发)",
    re.S,
)
_PLAN_SUFFIX_RE = re.compile(
    r"(?:工作方案|实施方案|行动方案|方案|规划|行动计划|计划|实施意见|意见|办法|纲要|工作任务|工作要点)$"
)
_VALID_RE = re.compile(r"有效期(?:至|到)\s*(\d{4}年\d{1,2}月\d{1,2}日)")
_ADMIN_RE = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,7}?(?:省|自治区|市|区|县|旗))")
_ORG_AFTER = r"(?=深化|人民政府|政府|委员会|委|卫生|医保|医疗保障|医改)"
_CITY_MENTION_RE = re.compile(r"(?:^|(?<=[《“(,、。:\s]))([\u4e00-\u9fff]{2,3}?市)" + _ORG_AFTER, re.M)
_PROVINCE_MENTION_RE = re.compile(r"(?:^|(?<=[《“(,、。:\s]))(?:中共)?([\u4e00-\u9fff]{2,3}?省)" + _ORG_AFTER, re.M)
_SIGNATURE_SKIP = ("代章", "印发", "抄送", "联系人", "电话")
_GENERIC_PLACES = {
    "全市",
    "本市",
    "我市",
    "全区",
    "本区",
    "我区",
    "全省",
    "本省",
    "全县",
    "市级",
    "区级",
    "城市",
    "直辖市",
    "省市",
    "各区",
    "各市",
    "县市区",
    "设区市",
    "各省",
}

TYPE_BY_SUFFIX = [
    ("工作方案", PlanType.WORK_PLAN),
    ("实施方案", PlanType.IMPLEMENTATION_PLAN),
    ("行动计划", PlanType.ACTION_PLAN),
    ("规划", PlanType.FIVE_YEAR_PLAN),
    ("工作任务", PlanType.WORK_PLAN),
    ("工作要点", PlanType.WORK_PLAN),
    ("意见", PlanType.OPINION),
    ("方案", PlanType.WORK_PLAN),
]


def _cjk_join(text: str) -> str:
    """Drop whitespace between Chinese characters (layout spaces in titles)."""
    return re.sub(r"(?<=[\u4e00-\u9fff》”)])\s+|\s+(?=[\u4e00-\u9fff《“(])", "", text).strip()


def _lines(norm: NormalizedText) -> list[tuple[str, int]]:
    out, pos = [], 0
    for line in norm.text.split("\n"):
        out.append((line, pos))
        pos += len(line) + 1
    return out


# Lines a web page puts above the document (标题：… / 发布时间：… / 文号：… / 发布机构：…).
_PAGE_FIELD_RE = re.compile(
    r"^(标题|题目|发布时间|发文日期|成文日期|文号|发文字号|发布机构|发文机关|发文单位)\s*:\s*(.*)$"
)
# Notes a site adds to a title: (已废止), (由X〔2017〕175号废止), (已失效), (有效) …; the bracket may be cut off.
_TITLE_NOTE_RE = re.compile(
    r"\((?:由[^()]*?(?:废止|失效|修订|修改|替代|代替|宣布)[^()]*?|已?(?:废止|失效|修订|修改)|有效|现行有效|部分失效)(?:\)|$)|\(由[^()]*$"
)
_NOTICE_WRAPPER_RE = re.compile(r"^(?P<issuer>.*?)关于(?:印发|下发|转发|发布)\s*《?(?P<title>.+?)》?\s*的\s*通\s*知$")
_OPINION_TITLE_RE = re.compile(r"^(?P<issuer>.{4,40}?)关于.+$")
_ORG_END_RE = re.compile(r"(?:政府|办公室|办公厅|委员会|管委会|委|局|厅|办|中心|院|小组|联合会|公司|部)$")
_JOINT_RE = re.compile(r"等(?:\d+|[一二三四五六七八九十]+)个?(?:部门|单位)$")
_CN_DATE_RE = re.compile(
    r"([一二三四五六七八九〇零○OＯ0]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0, "Ｏ": 0, "0": 0}


def _cn_number(text: str) -> int | None:
    if "十" not in text:
        return int("".join(str(_CN_DIGIT[c]) for c in text)) if all(c in _CN_DIGIT for c in text) else None
    tens, _, ones = text.partition("十")
    t = _CN_DIGIT.get(tens, None) if tens else 1
    o = _CN_DIGIT.get(ones, None) if ones else 0
    return None if t is None or o is None else t * 10 + o


def _cn_date(text: str) -> dt.date | None:
    """二〇〇八年四月二十一日 (or with letter O) → date."""
    m = _CN_DATE_RE.search(text)
    if not m:
        return None
    year, month, day = _cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3))
    try:
        return dt.date(year, month, day) if year and month and day else None
    except ValueError:
        return None


def _page_fields(lines: list[tuple[str, int]]) -> dict[str, tuple[str, int]]:
    """The page's metadata lines at the top: field → (value, normalised offset of the value)."""
    fields: dict[str, tuple[str, int]] = {}
    for line, start in lines[:8]:
        m = _PAGE_FIELD_RE.match(line.strip())
        if m:
            fields.setdefault(m.group(1), (m.group(2).strip(), start + m.start(2)))
    return fields


def _strip_note(title: str) -> str:
    """The title without a site's notes and without its own 文号 in brackets at the end."""
    return _TITLE_NUMBER_RE.sub("", _TITLE_NOTE_RE.sub("", title)).strip()


_TITLE_NUMBER_RE = re.compile(r"\(\s*[\u4e00-\u9fff]{1,12}[〔\[(]\s*(?:19|20)\d{2}\s*[〕\])]\s*\d{1,4}\s*号\s*\)$")


def _org(name: str) -> str:
    """An issuer's name, or "" when the text is not one (a site name such as 中国平潭)."""
    name = _JOINT_RE.sub("", re.sub(r"\s+", "", name))
    return name if 4 <= len(name) <= 40 and _ORG_END_RE.search(name) else ""


def _signature_date(lines: list[tuple[str, int]]) -> tuple[dt.date, int, int, str] | None:
    """The signing date: a line that is a date, or ends an issuer's name with one."""
    for t, s in lines:
        line = t.strip()
        if _DATE_LINE_RE.match(line) or (
            len(line) <= 40
            and re.search(r"\d{4}年\d{1,2}月\d{1,2}日$", line)
            and _org(re.sub(r"\d{4}年\d{1,2}月\d{1,2}日$", "", line))
        ):
            found = find_dates(line)
            if found:
                return found[-1].date, s, s + len(t), ""
        if len(line) <= 40 and _CN_DATE_RE.search(line) and line.endswith("日"):
            date = _cn_date(line)
            if date:
                return date, s, s + len(t), ""
    for t, s in lines:  # a body stored as one line: "…贯彻落实。 青山综合实验区管委会 2016年12月12日 …"
        for m in _RUN_ON_SIGNATURE_RE.finditer(t):
            if _org(m.group(1)):
                found = find_dates(m.group(2))
                if found:
                    return found[0].date, s + m.start(2), s + m.end(2), _org(m.group(1))
    return None


_RUN_ON_SIGNATURE_RE = re.compile(r"(?<=[。!])\s*([\u4e00-\u9fff()]{4,30}?)\s*(\d{4}年\d{1,2}月\d{1,2}日)(?!印发|起)")


def extract_meta(norm: NormalizedText, body_start: int) -> PlanMeta:
    """Metadata from the page's fields, the header (before ``body_start``, the first heading),
    the notice's title and the signature."""
    meta = PlanMeta()
    lines = _lines(norm)
    head = [(t, s) for t, s in lines if s < body_start]
    text = norm.text
    fields = _page_fields(lines)
    page_title, title_at = fields.get("标题") or fields.get("题目") or ("", 0)
    if not page_title:  # no page fields: the notice's own title line at the head (…关于印发…的通知)
        page_title, title_at = next(
            ((t, s) for t, s in head[:6] if _NOTICE_WRAPPER_RE.match(_strip_note(_cjk_join(t)))), ("", 0)
        )
    notice = _strip_note(_cjk_join(page_title))

    number, number_at = fields.get("文号") or fields.get("发文字号") or ("", 0)
    m_num = DOC_NUMBER_RE.search(number) if number else None
    if m_num:
        meta.doc_number = re.sub(r"\s+", "", m_num.group(0))
        meta.provenance["doc_number"] = norm.span(number_at + m_num.start(), number_at + m_num.end())
    elif page_title and (
        m_num := DOC_NUMBER_RE.search(_TITLE_NOTE_RE.sub("", _cjk_join(page_title)))
    ):  # 标题：…的通知（明政办〔2018〕35号）
        meta.doc_number = re.sub(r"\s+", "", m_num.group(0))
        at = text.find(m_num.group(0), title_at)
        meta.provenance["doc_number"] = norm.span(max(at, 0), max(at, 0) + len(m_num.group(0)))
    else:
        for m in DOC_NUMBER_RE.finditer(text, 0, max(body_start, 1)):
            note = text.rfind("(", 0, m.start())
            if note >= 0 and text.find(")", note) > m.start() and re.search(r"由|废止|失效", text[note : m.end() + 4]):
                continue  # the number of the document that repealed this one
            if m.start() > 0 and text[m.start() - 1] in "(（":
                continue  # a document cited in brackets
            meta.doc_number = re.sub(r"\s+", "", m.group(0))
            meta.provenance["doc_number"] = norm.span(m.start(), m.end())
            break

    for line, start in head[:6]:
        h = _ISSUER_HEADER_RE.match(line)
        if h:
            meta.issuer = re.sub(r"\s+", "", h.group("issuer"))
            meta.provenance["issuer"] = norm.span(start, start + len(h.group("issuer")))
            break
    wrapper = _NOTICE_WRAPPER_RE.match(notice) or _OPINION_TITLE_RE.match(notice)
    if not meta.issuer and wrapper and _org(wrapper.group("issuer")):
        meta.issuer = _org(wrapper.group("issuer"))
        meta.provenance["issuer"] = norm.span(title_at, title_at + len(wrapper.group("issuer")))

    signed = _signature_date(lines)
    if signed:
        meta.date = signed[0]
        meta.provenance["date"] = norm.span(signed[1], signed[2])
        if not meta.issuer and signed[3]:
            meta.issuer = signed[3]
            meta.provenance["issuer"] = norm.span(signed[1] - len(signed[3]), signed[1])
        if not meta.issuer:
            idx = max(i for i, (_t, s) in enumerate(lines) if s <= signed[1])
            own = _org(re.sub(r"\d{4}年\d{1,2}月\d{1,2}日$", "", lines[idx][0].strip()))
            candidates = [(own, signed[1])] if own else []
            candidates += [(t, s) for t, s in reversed(lines[max(0, idx - 3) : idx])]
            for t, s in candidates:
                if (
                    any(k in t for k in _SIGNATURE_SKIP)
                    or len(t) > 40
                    or t.endswith(("。", ":"))
                    or _PAGE_FIELD_RE.match(t)
                ):
                    continue
                meta.issuer = _JOINT_RE.sub("", t.strip())
                meta.provenance["issuer"] = norm.span(s, s + len(t))
                break
    elif "发布时间" in fields or "发文日期" in fields or "成文日期" in fields:
        value, at = fields.get("成文日期") or fields.get("发文日期") or fields["发布时间"]
        d = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
        if d:
            meta.date = dt.date(int(d.group(1)), int(d.group(2)), int(d.group(3)))
            meta.provenance["date"] = norm.span(at, at + d.end())
    if not meta.issuer:
        publisher, at = fields.get("发布机构") or fields.get("发文机关") or fields.get("发文单位") or ("", 0)
        if _org(publisher):
            meta.issuer = _org(publisher)
            meta.provenance["issuer"] = norm.span(at, at + len(publisher))

    n = _NOTICE_TITLE_RE.search(text, 0, max(body_start, 1))
    wrapped = _NOTICE_WRAPPER_RE.match(notice)
    if wrapped:
        meta.title = _strip_note(wrapped.group("title"))
        at = text.find(meta.title, title_at)
        if at < 0:
            at = text.find(meta.title)  # the title line of the plan itself
        if at >= 0:
            meta.provenance["title"] = norm.span(at, at + len(meta.title))
        else:  # spaced or marked up in the source: point at the notice's title line
            meta.provenance["title"] = norm.span(title_at, title_at + len(page_title))
    elif notice and _PLAN_SUFFIX_RE.search(notice):
        meta.title = notice
        meta.provenance["title"] = norm.span(title_at, title_at + len(page_title))
    elif n:
        group = "title" if n.group("title") else "title2"
        meta.title = _cjk_join(n.group(group).replace("\n", ""))
        meta.provenance["title"] = norm.span(n.start(group), n.end(group))
    else:
        for line, start in head:
            cand = _cjk_join(line)
            if 6 <= len(cand) <= 60 and _PLAN_SUFFIX_RE.search(cand) and not cand.startswith("附件"):
                meta.title = cand
                meta.provenance["title"] = norm.span(start, start + len(line))
                break

    for suffix, ptype in TYPE_BY_SUFFIX:
        if meta.title.endswith(suffix):
            meta.type = ptype
            break

    v = _VALID_RE.search(text)
    if v:
        found = find_dates(v.group(1))
        if found:
            meta.valid_until = found[0].date
            meta.provenance["valid_until"] = norm.span(v.start(), v.end())
    elif meta.type is PlanType.FIVE_YEAR_PLAN:
        p = re.search(r"十[一二三四五]五", meta.title)
        if p:
            meta.valid_until = dt.date(FIVE_YEAR_PLANS[p.group(0)], 12, 31)
            meta.provenance["valid_until"] = meta.provenance.get("title", norm.span(0, 0))

    meta.region, meta.level = _region(meta.issuer or meta.title, text)
    return meta


def _region(source: str, text: str) -> tuple[str, PlanLevel]:
    """Region from the issuer's place names, completed with parents the document mentions."""
    names = [m.group("name") for m in _ADMIN_RE.finditer(source)]
    names = [n for n in names if n not in _GENERIC_PLACES]
    chain: list[str] = []
    for n in names:
        # "某某市东湖区卫生健康委员会" yields 某某市 then 东湖区
        if not chain or not n.startswith(chain[-1]):
            chain.append(n)
        if n.endswith(("区", "县", "旗")):
            break
    if not chain:
        return "", PlanLevel.UNKNOWN
    last = chain[-1]
    if last.endswith(("区", "县", "旗")) and len(chain) == 1:
        mentions = Counter(m.group(1) for m in _CITY_MENTION_RE.finditer(text))
        cities = [c for c, _ in mentions.most_common(3) if c not in _GENERIC_PLACES and not last.startswith(c)]
        provinces = Counter(m.group(1) for m in _PROVINCE_MENTION_RE.finditer(text))
        prov = [p for p, _ in provinces.most_common(1) if p not in _GENERIC_PLACES]
        if cities:
            chain = ([prov[0]] if prov else []) + [cities[0]] + chain
    level = PlanLevel.UNKNOWN
    if last.endswith(("区", "县", "旗")):
        level = PlanLevel.DISTRICT
    elif last.endswith("市"):
        level = PlanLevel.CITY
    elif last.endswith(("省", "自治区")):
        level = PlanLevel.PROVINCE
    return "".join(chain), level
