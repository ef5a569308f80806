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
_PLAN_SUFFIX_RE = re.compile(r"(?:工作方案|实施方案|行动方案|方案|规划|行动计划|计划|实施意见|意见|办法|纲要|工作任务|工作要点)$")
_VALID_RE = re.compile(r"有效期(?:至|到)\s*(\d{4}年\d{1,2}月\d{1,2}日)")
_ADMIN_RE = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,7}?(?:省|自治区|市|区|县|旗))")
_ORG_AFTER = r"(?=深化|人民政府|政府|委员会|委|卫生|医保|医疗保障|医改)"
_CITY_MENTION_RE = re.compile(r"(?:^|(?<=[《“(,、。:\s]))([\u4e00-\u9fff]{2,3}?市)" + _ORG_AFTER, re.M)
_PROVINCE_MENTION_RE = re.compile(r"(?:^|(?<=[《“(,、。:\s]))(?:中共)?([\u4e00-\u9fff]{2,3}?省)" + _ORG_AFTER, re.M)
_SIGNATURE_SKIP = ("代章", "印发", "抄送", "联系人", "电话")
_GENERIC_PLACES = {"全市", "本市", "我市", "全区", "本区", "我区", "全省", "本省", "全县", "市级", "区级", "城市",
                   "直辖市", "省市", "各区", "各市", "县市区", "设区市", "各省"}

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


def extract_meta(norm: NormalizedText, body_start: int) -> PlanMeta:
    """Metadata from the header (before ``body_start``, the first heading) and the signature."""
    meta = PlanMeta()
    lines = _lines(norm)
    head = [(t, s) for t, s in lines if s < body_start]
    text = norm.text

    m = DOC_NUMBER_RE.search(text, 0, body_start)
    if m and not text[max(0, m.start() - 1) : m.start()] in "(（":
        meta.doc_number = re.sub(r"\s+", "", m.group(0))
        meta.provenance["doc_number"] = norm.span(m.start(), m.end())

    for line, start in head[:6]:
        h = _ISSUER_HEADER_RE.match(line)
        if h:
            meta.issuer = re.sub(r"\s+", "", h.group("issuer"))
            meta.provenance["issuer"] = norm.span(start, start + len(h.group("issuer")))
            break

    date_line = next(((t, s) for t, s in lines if _DATE_LINE_RE.match(t)), None)
    if date_line:
        found = find_dates(date_line[0])
        if found:
            meta.date = found[0].date
            meta.provenance["date"] = norm.span(date_line[1], date_line[1] + len(date_line[0]))
        if not meta.issuer:
            idx = lines.index(date_line)
            for t, s in reversed(lines[max(0, idx - 3) : idx]):
                if any(k in t for k in _SIGNATURE_SKIP) or len(t) > 40 or t.endswith(("。", ":")):
                    continue
                meta.issuer = t
                meta.provenance["issuer"] = norm.span(s, s + len(t))
                break

    n = _NOTICE_TITLE_RE.search(text, 0, max(body_start, 1))
    if n:
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
        # "上海市青浦区卫生健康委员会" yields 上海市 then 青浦区
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
