#!/usr/bin/env python3
"""Mines translated UI strings from the gettext catalogues (.mo) installed under /usr/share/locale.

Every Debian package that ships translations installs <locale>/LC_MESSAGES/<domain>.mo; the
msgstr side is text in that locale's language written by that package's translators, the
msgid side is (nearly always) English. prepare_langid.py uses them for Portuguese and Italian
(which Tatoeba lacks here), as extra variety for the other languages, and, from all other
locales, as the `und` class. Strings are cleaned (format specifiers, mnemonics, markup and
escapes removed; 1-20 words kept) and credited by domain and, where dpkg knows it, package.

Standard library only. As a script it prints what it finds per locale:
  python3 scripts/train/mine_catalogs.py [--root /usr/share/locale] [--locale pt_BR ...]
"""

import argparse
import collections
import glob
import os
import re
import struct
import sys

# Locale directory -> our language code; everything else (bar the skipped ones) is `und`.
OURS = {
    "en": "en", "en_GB": "en", "en_AU": "en", "en_CA": "en", "en_NZ": "en", "en_US": "en",
    "zh_CN": "zh", "zh_TW": "zh", "zh_HK": "zh", "zh_Hans": "zh", "zh_Hant": "zh",
    "es": "es", "fr": "fr", "de": "de", "de_CH": "de", "pt": "pt", "pt_BR": "pt", "pt_PT": "pt",
    "it": "it", "ja": "ja", "ko": "ko", "nl": "nl",
}
# Locales left out of `und`: English transliterations (en@shaw, en@quot ...), constructed
# auxiliary languages that read like Romance text (ia, ie, io), and small regional varieties so
# close to one of our ten that calling them `und` would mostly teach noise (Asturian, Aragonese,
# Arpitan, Friulian, Sardinian, Walloon, Low German, Limburgish, Frisian, Bavarian, Old English,
# Moldovan-as-Romanian duplicates).
SKIP = {"ia", "ie", "io", "ast", "an", "frp", "fur", "sc", "wa", "nds", "li", "fy", "bar", "ang",
        "mo", "locale.alias"}


def language_of(locale):
    """Our code for a locale directory name, 'und' for other languages, None to skip."""
    if locale in OURS:
        return OURS[locale]
    base = locale.split("@")[0]
    if base.startswith("en") or locale.split("_")[0].split("@")[0] in SKIP or locale in SKIP:
        return None
    return "und"


def read_mo(path):
    """Returns [(msgid, msgstr)] of a GNU .mo file (both byte orders); [] if it is malformed.

    Layout: magic, revision, N, offset of the original table, offset of the translation table;
    each table holds N (length, offset) pairs. Plural entries keep their first form; msgctxt
    (before \\x04) is dropped; the header entry (empty msgid) gives the charset.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    if len(data) < 20:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0x950412DE:
        endian = "<"
    elif magic == 0xDE120495:
        endian = ">"
    else:
        return []
    _, count, orig_off, trans_off = struct.unpack(endian + "4I", data[4:20])
    if count > 10_000_000 or orig_off + 8 * count > len(data) or trans_off + 8 * count > len(data):
        return []
    raw = []
    for i in range(count):
        olen, opos = struct.unpack(endian + "2I", data[orig_off + 8 * i:orig_off + 8 * i + 8])
        tlen, tpos = struct.unpack(endian + "2I", data[trans_off + 8 * i:trans_off + 8 * i + 8])
        if opos + olen > len(data) or tpos + tlen > len(data):
            return []
        raw.append((data[opos:opos + olen], data[tpos:tpos + tlen]))
    charset = "utf-8"
    for mid, mstr in raw:
        if mid == b"":
            m = re.search(rb"charset=([A-Za-z0-9_.:-]+)", mstr)
            if m:
                charset = m.group(1).decode("ascii", "replace").lower()
            break
    out = []
    for mid, mstr in raw:
        if not mid or not mstr:
            continue
        mid = mid.split(b"\x04")[-1].split(b"\x00")[0]
        mstr = mstr.split(b"\x00")[0]
        try:
            out.append((mid.decode("utf-8"), mstr.decode(charset)))
        except (UnicodeDecodeError, LookupError):
            continue
    return out


_FORMAT = re.compile(
    r"%(?:\d+\$)?[-+ #0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t|I64|I32)?"
    r"[diouxXeEfFgGaAcspnmS%]"
    r"|%\([A-Za-z_]+\)[sdif]"         # Python %(name)s
    r"|\{[A-Za-z0-9_:.!]*\}"           # {0} {name} {0:d}
    r"|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?"  # $VAR ${VAR}
    r"|%[A-Za-z_][A-Za-z0-9_]*%"       # %VAR%
    r"|%[1-9]"                          # Qt %1
    r"|%[-_0^#]?[A-Za-z]")              # strftime %Y %b %H, ld's %P
_MARKUP = re.compile(r"<[^<>]{0,200}>|&[a-zA-Z]+;|&#\d+;")
_ESCAPES = re.compile(r"\\[ntr]|[\n\t\r]")
_URLISH = re.compile(r"https?://|www\.|\S+@\S+\.\S+|\S+\.(?:so|py|conf|desktop|xml|html?|png)\b|/\S+/")
_HAS_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def word_count(text):
    """Words for the 1-20 rule: spaces split words; a Han/Kana run counts one word per 2 chars."""
    n = 0
    for tok in text.split():
        cjk = len(_CJK.findall(tok))
        n += max(1, (cjk + 1) // 2) if cjk else 1
    return n


def clean(text):
    """A catalogue string fit for language id, or None: no format codes, mnemonics, markup."""
    if _URLISH.search(text):
        return None
    t = _MARKUP.sub(" ", text)
    t = _FORMAT.sub(" ", t)
    t = _ESCAPES.sub(" ", t)
    t = re.sub(r"\(_[A-Za-z]\)|\(&[A-Za-z]\)", "", t)     # CJK mnemonics: 打开(_O)
    t = re.sub(r"(?<![\w&])[_&](?=\w)", "", t)             # _Open, &Save
    t = t.replace("…", " ").replace("...", " ")
    # Quotes left empty where a placeholder stood: " ", « », 「 」.
    t = re.sub(r"([\"'`‘“«「『(\[])\s*([\"'’”»」』)\]])", " ", t)
    t = " ".join(t.split()).strip(" :;,-|*=>")
    t = re.sub(r" ([.,;:!?])(?= |$)", r"\1", t)
    if len(t) < 2 or not _HAS_LETTER.search(t):
        return None
    # Things that are code, options or identifiers rather than prose.
    if re.search(r"[\\{}\[\]=]|--?[a-z]|::|->|\w_\w", t):
        return None
    if not 1 <= word_count(t) <= 20:
        return None
    return t


def load_dpkg_owners(locale_root):
    """Maps .mo paths under locale_root to the Debian package that installed them (best effort)."""
    owners = {}
    for listing in glob.glob("/var/lib/dpkg/info/*.list"):
        package = os.path.basename(listing)[:-5].split(":")[0]
        try:
            with open(listing, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith(locale_root) and line.endswith(".mo\n"):
                        owners[line[:-1]] = package
        except OSError:
            continue
    return owners


def mine(locale_root="/usr/share/locale", locales=None, und_limit=None):
    """Returns {locale: [(domain, text)]} of cleaned msgstrs that differ from their msgid.

    The English sources (msgids, taken from the German catalogues, which cover the most
    domains) come back under the pseudo-locale 'msgid'. With und_limit, reading an `und`
    locale stops after the domain that brings it past that many strings (domains in name
    order, so the result stays deterministic) to keep the run short.
    Sorted, de-duplicated per locale; deterministic for a given set of installed files.
    """
    result = {}
    msgids = set()
    dirs = sorted(d for d in os.listdir(locale_root)
                  if os.path.isdir(os.path.join(locale_root, d, "LC_MESSAGES")))
    for loc in dirs:
        if locales and loc not in locales:
            continue
        lang = language_of(loc)
        if lang is None:
            continue
        seen = {}
        for path in sorted(glob.glob(os.path.join(locale_root, loc, "LC_MESSAGES", "*.mo"))):
            domain = os.path.basename(path)[:-3]
            if domain.startswith("iso_"):
                continue  # lists of language, country and currency names: proper nouns
            for mid, mstr in read_mo(path):
                if loc == "de":
                    cm = clean(mid)
                    if cm:
                        msgids.add((domain, cm))
                if mstr.strip() == mid.strip():
                    continue  # untranslated copy of the English source
                text = clean(mstr)
                if not text:
                    continue
                # CJK catalogues: an all-ASCII msgstr is English left in place.
                if lang in ("zh", "ja", "ko") and not _CJK.search(text):
                    continue
                seen.setdefault(text, domain)
            if lang == "und" and und_limit and len(seen) >= und_limit:
                break
        result[loc] = sorted((d, t) for t, d in seen.items())
    if not locales or "msgid" in locales:
        by_text = {}
        for domain, text in sorted(msgids):
            by_text.setdefault(text, domain)
        result["msgid"] = sorted((d, t) for t, d in by_text.items())
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default="/usr/share/locale")
    ap.add_argument("--locale", action="append", help="only these locale directories")
    ap.add_argument("--show", type=int, default=0, help="print N sample strings per locale")
    args = ap.parse_args()
    mined = mine(args.root, set(args.locale) if args.locale else None)
    by_lang = collections.Counter()
    for loc, items in mined.items():
        lang = "en" if loc == "msgid" else language_of(loc)
        by_lang[lang] += len(items)
        domains = len({d for d, _ in items})
        print(f"{loc:12s} {lang:4s} {len(items):7d} strings from {domains:3d} domains")
        for d, t in items[:: max(1, len(items) // max(1, args.show))][: args.show]:
            print(f"    [{d}] {t}")
    print("by language: " + " ".join(f"{k}={v}" for k, v in sorted(by_lang.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
