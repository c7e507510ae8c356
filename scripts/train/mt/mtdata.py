"""Shared pieces of the translation data pipeline: where each source lives, how to read it,
and how a pair is cleaned. prepare_pair.py and train_spm.py are the entry points.

Every reader yields (english, other, tag) tuples; `tag` names the source (it becomes the third
column of the TSV files and the key of SOURCES.json). Standard library only; the .mo reader
is the one in ../mine_catalogs.py.
"""

import csv
import fnmatch
import glob
import hashlib
import html
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))
import mine_catalogs  # noqa: E402  (scripts/train/mine_catalogs.py: read_mo, _FORMAT, load_dpkg_owners)

SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT_ROOT = os.path.join(ROOT, "build", "mt-data")
SRC_CACHE = os.path.join(OUT_ROOT, "_sources")
PARALLEL = os.path.join(ROOT, "scripts", "train", "data", "parallel")
CATALOG_LIST = os.path.join(HERE, "catalog_sources.json")

LANGS = ["es", "de", "fr", "zh", "pt", "it", "ja", "ko", "nl"]
# Locale names (gettext directories, .po/.json/.csv file stems) that count as each language.
# zh is Simplified only: Traditional catalogues (zh_TW, zh_HK, zhTW) are left out, and
# Traditional-only characters drop a target (see _TRADITIONAL). pt takes both varieties,
# like the hand-written corpus does.
LOCALES = {
    "es": {"es", "es_ES", "es-ES"},
    "de": {"de", "de_DE", "de-DE"},
    "fr": {"fr", "fr_FR", "fr-FR"},
    "zh": {"zh_CN", "zh-CN", "zh-cn", "zhCN", "zh_Hans", "zh-Hans"},
    "pt": {"pt", "pt_PT", "pt-PT", "ptPT", "pt_BR", "pt-BR", "ptBR"},
    "it": {"it", "it_IT", "it-IT"},
    "ja": {"ja", "ja_JP", "ja-JP", "jp-JP"},
    "ko": {"ko", "ko_KR", "ko-KR"},
    "nl": {"nl", "nl_NL", "nl-NL"},
}
CJK_LANGS = {"zh", "ja", "ko"}
# Placeholders the core substitutes for protected spans (order numbers, e-mails, URLs, amounts,
# glossary terms); ids 4.. of every vocabulary, right after pad/unk/bos/eos, then the tags.
PLACEHOLDERS = [f"\u27e6{i}\u27e7" for i in range(1, 10)]


REGISTER_TAGS = ["<formal>", "<informal>"]


def special_symbols(lang):
    """User-defined SentencePiece symbols of pair en-<lang>, in id order from 4."""
    return PLACEHOLDERS + ["<2en>", f"<2{lang}>"] + REGISTER_TAGS


# Register of a target sentence, for the `<formal>`/`<informal>` source tag that lets the core
# ask for the polite form (Sie, vous, usted, です・ます, 您) in replies to customers. Markers are
# deliberately narrow: a sentence with neither kind gets no tag.
_REGISTER = {
    "de": (r"(?<![.!?]\s)(?<!^)\b(Sie|Ihnen|Ihre?[mnrs]?)\b", r"\b(du|dich|dir|dein\w*|euch|euer|eure\w*)\b"),
    "fr": (r"\b(vous|votre|vos)\b", r"\b(tu|te|toi|ton|ta|tes|t')\b"),
    "es": (r"\b(usted(es)?|le ruego)\b", r"\b(tú|te|ti|tu|tus|contigo)\b"),
    "pt": (r"\b(o senhor|a senhora|você)\b", r"\b(tu|te|ti|teu|tua|contigo)\b"),
    "it": (r"(?<!^)\b(Lei|Le|La|Suo|Sua|Suoi)\b", r"\b(tu|ti|te|tuo|tua|tuoi|tue)\b"),
    "nl": (r"\b(u|uw)\b", r"\b(je|jij|jou|jouw)\b"),
    "zh": (r"您", r"你"),
    "ja": (r"(です|ます|ました|ません|ください|ございます)", r"(だよ|だね|じゃない|してる|だ。|よね)"),
    "ko": (r"(습니다|세요|십시오|습니까|요[.?!]?$)", r"(해|야|니\?|어\.|지\?)$"),
}


def register(text, lang):
    """'formal', 'informal' or None for a sentence in `lang`."""
    pats = _REGISTER.get(lang)
    if not pats:
        return None
    formal = re.search(pats[0], text) is not None
    informal = re.search(pats[1], text, re.IGNORECASE if lang in ("fr", "es", "pt", "nl") else 0) is not None
    if formal == informal:
        return None
    return "formal" if formal else "informal"

LICENCES = {
    "kefu-chat": "project's own (repository licence); scripts/train/data/parallel/",
    "kefu-chat-extra": "project's own (repository licence); scripts/train/data/parallel/extra/",
    "kefu-chat-informal": "project's own (repository licence); scripts/train/data/parallel/informal/",
    "tatoeba": "CC BY 2.0 FR; credit \"Tatoeba.org contributors\"",
    "bcontrast": "CC BY-SA 4.0 (BConTrasT, WMT20 chat task); ShareAlike applies to adapted data",
    "deb-installed": "per Debian package (see packages; each /usr/share/doc/<pkg>/copyright), "
                     "mostly GPL/LGPL",
    "iso-codes": "LGPL-2.1+ (Debian iso-codes: country and currency names)",
}


# ---------------------------------------------------------------- readers

def _read_chat_file(path, lang, tag):
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                yield r["en"], r[lang], f"{tag}:" + r.get("role", "unknown")


def read_chat(lang):
    """The hand-written customer-service corpus; tag kefu-chat:<role>."""
    return _read_chat_file(os.path.join(PARALLEL, f"en-{lang}.jsonl"), lang, "kefu-chat")


def read_chat_extra(lang):
    """More hand-written customer-service turns, train only (never dev/test: adding them to
    en-<xx>.jsonl would move held-out lines); tag kefu-chat-extra:<role>."""
    return _read_chat_file(os.path.join(PARALLEL, "extra", f"en-{lang}.jsonl"), lang, "kefu-chat-extra")


def read_chat_informal(lang):
    """Agent turns of the corpus translated again in the informal register (du, tú, tu, je, 你,
    plain form, ...), train only like the extra turns; their targets carry informal markers, so
    training gives them the <informal> tag. Tag kefu-chat-informal:<role>."""
    return _read_chat_file(os.path.join(PARALLEL, "informal", f"en-{lang}.jsonl"), lang, "kefu-chat-informal")


def read_tatoeba(lang):
    path = os.path.join(SHARED, "tatoeba", f"en-{lang}.tsv.xz")
    if not os.path.exists(path):
        return
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2:
                yield cols[0], cols[1], "tatoeba"


def read_bcontrast(lang, split):
    """BConTrasT: agent turns are English originals with German translations, customer turns
    German originals with English translations; both become (English, German)."""
    if lang != "de":
        return
    path = os.path.join(SHARED, "bcontrast", f"{split}.json")
    with open(path, encoding="utf-8") as f:
        dialogues = json.load(f)
    for _, turns in sorted(dialogues.items()):
        for t in turns:
            if t["speaker"] == "agent":
                yield t["source"], t["target"], "bcontrast"
            else:
                yield t["target"], t["source"], "bcontrast"


def read_installed_mo(lang, owners_out):
    """Catalogues of the packages installed on this machine (/usr/share/locale). Country and
    currency names (iso_3166-1, iso_4217) are kept under their own tag; other iso_* lists and
    language names are proper-noun lists and left out, as are developer and system tools
    (installed_skip_domains in catalog_sources.json)."""
    root = "/usr/share/locale"
    owners = mine_catalogs.load_dpkg_owners(root)
    with open(CATALOG_LIST, encoding="utf-8") as f:
        skip = re.compile(json.load(f)["installed_skip_domains"])
    for loc in sorted(LOCALES[lang]):
        for path in sorted(glob.glob(os.path.join(root, loc, "LC_MESSAGES", "*.mo"))):
            domain = os.path.basename(path)[:-3]
            if domain.startswith("iso_") and domain not in ("iso_3166-1", "iso_4217"):
                continue
            if skip.match(domain):
                continue
            tag = "iso-codes" if domain.startswith("iso_") else "deb-installed"
            pkg = owners.get(path, "?")
            n = 0
            for mid, mstr in mine_catalogs.read_mo(path):
                n += 1
                yield mid, mstr, tag
            owners_out.setdefault(tag, {})[pkg] = owners_out.get(tag, {}).get(pkg, 0) + n


def _unescape_po(s):
    return (s.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t")
            .replace("\\\\", "\\"))


def read_po(path):
    """[(msgid, msgstr)] of a .po file: fuzzy and obsolete entries skipped, plural entries keep
    their first form, msgctxt ignored."""
    entries, cur, key, fuzzy = [], {}, None, False

    def flush():
        nonlocal cur, fuzzy
        mid, mstr = cur.get("msgid", ""), cur.get("msgstr", cur.get("msgstr[0]", ""))
        if mid and mstr and not fuzzy:
            entries.append((mid, mstr))
        cur, fuzzy = {}, False

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                if cur:
                    flush()
                key = None
                continue
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
                continue
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
            if m:
                if m.group(1) in ("msgctxt", "msgid") and "msgstr" in " ".join(cur):
                    flush()
                key = m.group(1)
                cur[key] = _unescape_po(m.group(2))
            elif line.startswith('"') and key:
                cur[key] += _unescape_po(line[1:-1])
    if cur:
        flush()
    return entries


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _deb_licence(tree, package):
    """The licence of the `Files: *` stanza of a package's DEP-5 copyright (else the first)."""
    path = os.path.join(tree, "usr", "share", "doc", package, "copyright")
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return "unknown (no copyright file)"
    for stanza in re.split(r"\n\s*\n", text):
        if re.search(r"^Files:\s*\*\s*$", stanza, re.M):
            m = re.search(r"^License:\s*(.+)$", stanza, re.M)
            if m:
                return m.group(1).strip()
    m = re.search(r"^License:\s*(.+)$", text, re.M)
    return m.group(1).strip() if m else "unknown (see copyright file)"


def fetch_catalogs(fetch=True, log=print):
    """Downloads (once) the pinned .deb and npm artefacts listed in catalog_sources.json into
    build/mt-data/_sources/ and unpacks them. Returns {tag: info} for those present."""
    with open(CATALOG_LIST, encoding="utf-8") as f:
        spec = json.load(f)
    deb_dir, npm_dir = os.path.join(SRC_CACHE, "deb"), os.path.join(SRC_CACHE, "npm")
    os.makedirs(deb_dir, exist_ok=True)
    os.makedirs(npm_dir, exist_ok=True)
    present = {}
    for d in spec["debian"]:
        pkg = d["package"]
        debs = sorted(glob.glob(os.path.join(deb_dir, f"{pkg}_*.deb")))
        if not debs and fetch:
            log(f"prepare: apt-get download {pkg}")
            subprocess.run(["apt-get", "download", "-q", pkg], cwd=deb_dir, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            debs = sorted(glob.glob(os.path.join(deb_dir, f"{pkg}_*.deb")))
        if not debs:
            log(f"prepare: {pkg} not available, skipped")
            continue
        tree = os.path.join(deb_dir, "x", pkg)
        if not os.path.isdir(tree):
            shutil.rmtree(tree + ".tmp", ignore_errors=True)
            os.makedirs(tree + ".tmp")
            subprocess.run(["dpkg-deb", "-x", debs[-1], tree + ".tmp"], check=True)
            os.rename(tree + ".tmp", tree)
        version = os.path.basename(debs[-1])[len(pkg) + 1:].rsplit("_", 1)[0].replace("%3a", ":")
        present["deb:" + pkg] = {"kind": "deb", "package": pkg, "version": version,
                                 "file": os.path.basename(debs[-1]), "sha256": _sha256(debs[-1]),
                                 "tree": tree, "licence": _deb_licence(tree, pkg)}
    for n in spec["npm"]:
        stem = n["package"].lstrip("@").replace("/", "-") + "-" + n["version"]
        tgz = os.path.join(npm_dir, stem + ".tgz")
        if not os.path.exists(tgz) and fetch:
            log(f"prepare: npm pack {n['package']}@{n['version']}")
            subprocess.run(["npm", "pack", "--silent", f"{n['package']}@{n['version']}"],
                           cwd=npm_dir, check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if not os.path.exists(tgz):
            log(f"prepare: {n['package']} not available, skipped")
            continue
        with tarfile.open(tgz) as t:
            meta = json.load(t.extractfile("package/package.json"))
        if meta.get("license") != n["licence"]:
            raise SystemExit(f"prepare: {n['package']}@{n['version']} declares licence "
                             f"{meta.get('license')!r}, catalog_sources.json says {n['licence']!r}")
        present["npm:" + n["package"]] = dict(n, kind="npm", file=os.path.basename(tgz),
                                              sha256=_sha256(tgz), tgz=tgz)
    return present


def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(obj, str):
        yield prefix, obj


def read_catalog(info, lang):
    """(English, other) pairs of one fetched artefact for `lang`."""
    locs = LOCALES[lang]
    if info["kind"] == "deb":
        for path in sorted(glob.glob(os.path.join(info["tree"], "**", "*.mo"), recursive=True)):
            if path.split(os.sep)[-3] in locs:  # .../<locale>/LC_MESSAGES/x.mo
                yield from mine_catalogs.read_mo(path)
        for path in sorted(glob.glob(os.path.join(info["tree"], "**", "*.po"), recursive=True)):
            parts = path.split(os.sep)
            loc = parts[-3] if parts[-2] == "LC_MESSAGES" else os.path.basename(path)[:-3]
            if loc in locs:
                yield from read_po(path)
        return
    with tarfile.open(info["tgz"]) as t:
        names = sorted(m.name for m in t.getmembers()
                       if fnmatch.fnmatch(m.name, info["glob"]))
        stem = {n: os.path.splitext(os.path.basename(n))[0] for n in names}
        mine = [n for n in names if stem[n] in locs]
        if info["format"] == "csv-english-key":
            for n in mine:
                text = t.extractfile(n).read().decode("utf-8", "replace")
                for row in csv.reader(io.StringIO(text)):
                    if len(row) >= 2:
                        yield row[0], row[1]
        elif info["format"] == "json-keyed":
            en_name = [n for n in names if os.path.basename(n) == info["english"]][0]
            english = dict(_flatten(json.load(t.extractfile(en_name))))
            for n in mine:
                for key, value in _flatten(json.load(t.extractfile(n))):
                    if key in english and not key.startswith("$"):
                        yield english[key], value


# ---------------------------------------------------------------- cleaning

# Placeholders: printf/Python/Qt/strftime (mine_catalogs._FORMAT) and i18next {{name}}.
# printf without the space flag: in prose "10 % de" would otherwise read as "% d".
_PLACEHOLDER = re.compile(r"\{\{\s*[\w.]+\s*\}\}|"
                          + mine_catalogs._FORMAT.pattern.replace("[-+ #0']*", "[-+#0']*"))
_ICU = re.compile(r"\{\s*\w+\s*,\s*(plural|select|selectordinal|number|date)\b")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_CODEISH = re.compile(r"[\\\[\]=|]|(?<!\w)--?[a-z]|::|->|\w_\w|\.(so|py|conf|desktop|xml|png)\b"
                      r"|(?<!\w)/\w+/")
# ASCII only: in CJK text an address runs straight into the next word (发到chen.li@example.com。).
_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*[A-Za-z0-9/]|www\.[A-Za-z0-9.-]+[A-Za-z0-9]"
                  r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_LETTER = re.compile(r"[^\W\d_]")
# Common Traditional-only characters; one of them in a zh target means Traditional script.
_TRADITIONAL = set("這們為說個來時會對與還後從麼過讓開關車東見現發無點書門問題經學實體國"
                   "長電話買賣貨運單價錢處網頁傳認證號碼請謝歡給氣熱飯館樂聽視讀寫郵帳戶")
# Weight of one character when comparing lengths across scripts (a Han character carries
# about as much as 2-3 Latin letters).
_WEIGHT = {"han": 2.5, "kana": 1.5, "hangul": 2.0}
RATIO_MAX = 2.6


def _placeholders(s):
    """Multiset of placeholders, positional %2$s counted as %s (translations reorder them)."""
    return sorted(re.sub(r"^%\d+\$", "%", p) for p in _PLACEHOLDER.findall(s))


def to_simplified(texts):
    """Converts Traditional Chinese to Simplified with Debian's `opencc` (t2s), one call for all
    texts; returns None when opencc is not installed."""
    if not shutil.which("opencc") or not texts:
        return None if texts else []
    out = subprocess.run(["opencc", "-c", "t2s.json"], input="\n".join(texts) + "\n",
                         capture_output=True, text=True, check=True).stdout.split("\n")
    if len(out) < len(texts):
        return None
    return out[:len(texts)]


def is_traditional(text):
    return bool(_TRADITIONAL & set(text))


def nfc(s):
    return unicodedata.normalize("NFC", s)


def norm_key(s):
    """Key for de-duplication and held-out matching: NFKC, case-folded, punctuation-free."""
    s = unicodedata.normalize("NFKC", s).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


def weighted_len(s):
    n = 0.0
    for ch in s:
        if _HAN.match(ch):
            n += _WEIGHT["han"]
        elif _KANA.match(ch):
            n += _WEIGHT["kana"]
        elif _HANGUL.match(ch):
            n += _WEIGHT["hangul"]
        elif not ch.isspace():
            n += 1
    return n


def words(s):
    return mine_catalogs.word_count(s)


def _strip_ui(s):
    """Markup, entities, mnemonics and escapes of UI catalogue strings."""
    s = _TAG.sub(" ", s)
    s = html.unescape(s)
    s = re.sub(r"\s*[(（]\s*[_&][A-Za-z0-9]\s*[)）]", "", s)   # CJK mnemonics: 打开(_O)
    s = s.replace("&&", "\x00")
    s = re.sub(r"(?<![\w&])[_&](?=\w)", "", s)                 # _Open, &Save
    s = s.replace("\x00", "&")
    return s


def script_ok(text, lang):
    """Whether `text` (URLs and e-mail addresses removed) is written in the script of `lang`
    (en for the English side). CJK targets may carry Latin product names, but need enough
    CJK text to not be English left in place."""
    text = _URL.sub(" ", text)
    letters = len(_LETTER.findall(text))
    if not letters:
        return False
    latin, han = len(_LATIN.findall(text)), len(_HAN.findall(text))
    kana, hangul = len(_KANA.findall(text)), len(_HANGUL.findall(text))
    if lang in ("en", "es", "de", "fr", "pt", "it", "nl"):
        return latin >= 0.9 * letters
    if lang == "zh":
        return han > 0 and kana == 0 and hangul == 0 and 2.5 * han >= 0.25 * latin \
            and not (_TRADITIONAL & set(text))
    if lang == "ja":
        return (kana + han) > 0 and hangul == 0 and 2 * (kana + han) >= 0.25 * latin
    if lang == "ko":
        return hangul > 0 and kana == 0 and 2 * hangul >= 0.25 * latin
    return True


def clean_pair(en, xx, lang, ui, max_words=80, max_chars=500):
    """Returns (en, xx) cleaned, or a string naming why the pair is dropped.

    ui=True for catalogue strings: markup, entities and mnemonics are removed and strings that
    look like code (paths, options, identifiers) are dropped. For all sources: NFC, one line,
    placeholders (printf %s/%1$d, Python %(n)s, {0}/{name}, {{name}}, Qt %1, $VAR) kept only
    when both sides carry the same multiset of them, URLs/e-mails likewise, ICU plural messages
    dropped, identical sides dropped, target in the wrong script dropped, absurd length ratios
    dropped, untranslated copies (catalogues) dropped. Placeholder rules apply to catalogues
    only: prose such as "10 % de descuento" is not a format string.
    """
    en, xx = nfc(en), nfc(xx)
    if ui:
        en, xx = _strip_ui(en), _strip_ui(xx)
    en, xx = " ".join(en.split()), " ".join(xx.split())
    if not en or not xx:
        return "empty"
    if _ICU.search(en) or _ICU.search(xx):
        return "icu-message"
    # Placeholders are a catalogue matter: in prose "20%off" or "$HOME" are text.
    if ui and _placeholders(en) != _placeholders(xx):
        return "placeholder-mismatch"
    if sorted(_URL.findall(en)) != sorted(_URL.findall(xx)):
        return "url-mismatch"
    bare_en, bare_xx = (_PLACEHOLDER.sub(" ", en), _PLACEHOLDER.sub(" ", xx)) if ui else (en, xx)
    if ui and (_CODEISH.search(_URL.sub(" ", bare_en)) or _CODEISH.search(_URL.sub(" ", bare_xx))):
        return "code-like"
    if len(en) > max_chars or len(xx) > max_chars or words(en) > max_words:
        return "too-long"
    if not script_ok(bare_en, "en"):
        return "source-script"
    if not script_ok(bare_xx, lang):
        return "target-script"
    if norm_key(bare_en) == norm_key(bare_xx):
        return "identical"
    ten, txx = norm_key(bare_en).split(), norm_key(bare_xx).split()
    if ui and lang not in CJK_LANGS and len(txx) >= 4 and \
            sum(w in set(ten) for w in txx) >= 0.8 * len(txx):
        return "untranslated-copy"
    le, lx = weighted_len(en), weighted_len(xx)
    r = (lx + 8) / (le + 8)
    if r > RATIO_MAX or r < 1 / RATIO_MAX:
        return "length-ratio"
    return en, xx


def stable_hash(s):
    return int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:8], "big")


# --- protected spans --------------------------------------------------------------------------
# The same classes the core's translator protects (core/src/translate_text.cc): e-mails, URLs,
# codes with digits (order numbers, SKUs), amounts and numbers, and words that a pair carries
# unchanged (product and brand names, people's names) — the training-side stand-in for the
# shop's glossary.
_PROTECT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|https?://\S+[\w/]|www\.[\w.-]+\w"
    r"|[€$£¥]\s?\d+(?:[.,]\d+)*|\d+(?:[.,]\d+)*\s?[€$£¥%]"
    r"|\b[A-Za-z]*\d[\w-]*"
    r"|\b[A-Z][\w-]{2,}")


def protect_pair(src, tgt, rng, p=0.6):
    """Replaces spans that occur verbatim on both sides by the same placeholder, each with
    probability p, numbered in order of appearance in `src`; returns the new (src, tgt)."""
    chosen, parts, pos = {}, [], 0
    for m in _PROTECT.finditer(src):
        span = m.group(0)
        if len(chosen) >= len(PLACEHOLDERS) or span in chosen or span not in tgt or rng.random() >= p:
            continue
        chosen[span] = PLACEHOLDERS[len(chosen)]
        parts += [src[pos:m.start()], chosen[span]]
        pos = m.end()
    if not chosen:
        return src, tgt
    src = "".join(parts) + src[pos:]
    alt = re.compile("|".join(re.escape(k) for k in sorted(chosen, key=len, reverse=True)))
    left = set(chosen)

    def sub(m):
        if m.group(0) in left:
            left.discard(m.group(0))
            return chosen[m.group(0)]
        return m.group(0)
    return src, alt.sub(sub, tgt)
