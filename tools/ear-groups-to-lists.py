#!/usr/bin/env python3
"""Convert the EAR country groups (15 CFR Part 740, Supplement No. 1) into
exportctl's "exportctl-lists/1" format.

Usage:
    python3 tools/ear-groups-to-lists.py COUNTRY_GROUPS_JSON [ISO_3166_JSON] [OUTPUT_JSON]

    COUNTRY_GROUPS_JSON  e.g. ../shared/data/ear-ecfr-2026-07-23/country-groups.json
    ISO_3166_JSON        default /usr/share/iso-codes/json/iso_3166-1.json (Debian iso-codes)
    OUTPUT_JSON          default data/lists/us-ear.json next to this script's repository

Each EAR country name is mapped to ISO 3166-1 alpha-2 by, in order:
  1. the small explicit table EAR_SPELLINGS below (EAR spellings that iso-codes
     does not know); when iso-codes also matches the name, both must agree;
  2. a case-insensitive match on iso-codes' name / common_name / official_name,
     of the EAR name itself and of every alias the input file maps onto it.
Any name that matches nothing, or matches more than one code, stops the script
with an error: nothing is guessed.

Each list gets two versions:
  * 2021-11-01, confidence "inferred": the 2026 table adjusted by the known
    November 2021 differences (NOV_2021_DIFFERENCES below);
  * the eCFR issue date of the input (2026-07-23), confidence "official".
Hong Kong (HK) is added, as "inferred", to every group containing China (PRC).

Python 3 standard library only.
"""

import json
import os
import sys
import unicodedata

DEFAULT_ISO = "/usr/share/iso-codes/json/iso_3166-1.json"
SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(SCRIPT_DIR, os.pardir, "data", "lists", "us-ear.json")

RECONSTRUCTED_FROM = "2021-11-01"

AUTHORITY = "U.S. Department of Commerce, Bureau of Industry and Security"
LEGAL_BASIS = "15 C.F.R. Part 740, Supplement No. 1"

# EAR spellings -> ISO 3166-1 alpha-2. Kept small on purpose: only names that
# iso-codes does not match, or that are ambiguous through the input's aliases.
EAR_SPELLINGS = {
    "Bosnia & Herzegovina": "BA",
    "Brunei": "BN",
    "Burma": "MM",
    "Cape Verde": "CV",
    "China (PRC)": "CN",  # the file aliases "hong kong" to it as well; HK handled below
    "Congo (Democratic Republic of the)": "CD",
    "Congo (Democratic Republic of)": "CD",
    "Congo (Republic of the)": "CG",
    "Cote d'lvoire": "CI",  # sic: lower-case L instead of I in the eCFR text
    "Gambia, The": "GM",
    "Korea, North": "KP",
    "Korea, South": "KR",
    "Kosovo": "XK",  # user-assigned code, not in ISO 3166-1
    "Laos": "LA",
    "Macau": "MO",
    "Micronesia, Federated States of": "FM",
    "Russia": "RU",
    "Saint Kitts & Nevis": "KN",
    "Sao Tome & Principe": "ST",
    "Sint Maarten (the Dutch two-fifths of the island of Saint Martin)": "SX",
    "The Bahamas": "BS",
    "Trinidad & Tobago": "TT",
    "Türkiye": "TR",
    "Vatican City": "VA",
}

# Codes accepted although absent from iso-codes.
EXTRA_CODES = {"XK"}

GROUP_ORDER = ["A:1", "A:2", "A:3", "A:4", "A:5", "A:6", "B",
               "D:1", "D:2", "D:3", "D:4", "D:5", "E:1", "E:2"]

# Known differences between the November 2021 groups and the 2026 table
# (exportctl research notes, FACTS.md section 2). Nothing else is known.
NOV_2021_DIFFERENCES = {
    "D:5": {
        "add": {
            "CY": "Cyprus was in Country Group D:5 (U.S. arms-embargoed countries) in November 2021 "
                  "(exportctl research notes; consistent with Cyprus being a proscribed destination "
                  "under 22 CFR 126.1 in 2021). It is not in D:5 in the eCFR of 2026-07-23; the date "
                  "and rule of its removal are not known.",
        },
    },
    "A:5": {
        "drop": {
            "AE": "The United Arab Emirates was not in Country Group A:5 in November 2021 (exportctl "
                  "research notes); it is in A:5 in the eCFR of 2026-07-23. The date of its addition "
                  "is not known.",
        },
    },
}

HK_RULE = ("BIS final rule 'Removal of Hong Kong as a Separate Destination under the Export "
           "Administration Regulations', 2020-12-23, FR Doc. 2020-28101 (cited as 85 FR 83788)")
HK_RULE_URL = "https://www.federalregister.gov/documents/2020/12/23/2020-28101"

PURPOSE_EXTRA = {
    "A:5": " A:5 destinations are eligible for License Exception STA (15 CFR 740.20).",
    "A:6": " A:6 destinations are eligible for License Exception STA on narrower terms than A:5 "
           "(15 CFR 740.20).",
    "D:5": " Macau is not in D:5, but the EAR writes 'Macau or a destination specified in Country "
           "Group D:5' throughout.",
    "E:1": " Comprehensive embargo (EAR Part 746 and OFAC programmes): licences for controlled "
           "items are generally denied.",
    "E:2": " Comprehensive embargo (EAR Part 746 and OFAC programmes): licences for controlled "
           "items are generally denied.",
}


def die(msg):
    sys.stderr.write("ear-groups-to-lists: error: " + msg + "\n")
    sys.exit(1)


def norm(s):
    return unicodedata.normalize("NFC", s).strip().casefold()


def load_iso(path):
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)["3166-1"]
    index = {}
    codes = set()
    for e in entries:
        codes.add(e["alpha_2"])
        for key in ("name", "common_name", "official_name"):
            if key in e:
                index.setdefault(norm(e[key]), set()).add(e["alpha_2"])
    return index, codes


def build_mapper(groups_doc, iso_index, iso_codes):
    aliases_of = {}
    for alias, target in groups_doc.get("aliases", {}).items():
        aliases_of.setdefault(norm(target), []).append(alias)

    def auto_candidates(name):
        found = set(iso_index.get(norm(name), set()))
        for alias in aliases_of.get(norm(name), []):
            found |= iso_index.get(norm(alias), set())
        return found

    def to_code(name):
        auto = auto_candidates(name)
        if name in EAR_SPELLINGS:
            code = EAR_SPELLINGS[name]
            if auto and code not in auto:
                die("explicit table maps %r to %s but iso-codes/aliases give %s"
                    % (name, code, sorted(auto)))
        elif len(auto) == 1:
            code = next(iter(auto))
        elif not auto:
            die("cannot map EAR country name %r to ISO 3166-1: add it to EAR_SPELLINGS" % name)
        else:
            die("EAR country name %r is ambiguous: %s; add it to EAR_SPELLINGS"
                % (name, sorted(auto)))
        if code not in iso_codes and code not in EXTRA_CODES:
            die("code %s for %r is not an ISO 3166-1 alpha-2 code" % (code, name))
        return code

    return to_code


def list_id(group):
    return "us-ear-" + group.replace(":", "").lower()


def main(argv):
    if len(argv) < 2 or len(argv) > 4:
        sys.stderr.write(__doc__)
        return 2
    groups_path = argv[1]
    iso_path = argv[2] if len(argv) > 2 else DEFAULT_ISO
    out_path = os.path.normpath(argv[3] if len(argv) > 3 else DEFAULT_OUT)

    with open(groups_path, encoding="utf-8") as f:
        doc = json.load(f)
    iso_index, iso_codes = load_iso(iso_path)
    to_code = build_mapper(doc, iso_index, iso_codes)

    issue = doc["ecfrIssueDate"]
    src_url = doc["source"]["url"]
    citation = doc["citation"]
    labels = doc["labels"]
    groups = doc["groups"]

    if sorted(groups) != sorted(GROUP_ORDER):
        die("unexpected set of groups in input: %s" % sorted(groups))
    for g, diff in NOV_2021_DIFFERENCES.items():
        if g not in groups:
            die("difference table names unknown group %s" % g)

    official_source = "%s, eCFR issue %s: %s" % (citation, issue, src_url)
    hk_source = "%s; %s; aliases 'hong kong', 'hong kong sar', 'hk' -> 'China (PRC)' in %s" % (
        HK_RULE, HK_RULE_URL, official_source)
    hk_reason = ("Hong Kong is not listed separately: since %s the EAR treats Hong Kong as part of "
                 "China (PRC), which is in this group. The source table's aliases map Hong Kong to "
                 "China (PRC). Macau is a separate entry (MO)." % HK_RULE)
    recon_note = ("Reconstructed from the %s eCFR table plus the known differences of November 2021 "
                  "(Cyprus was in D:5; the United Arab Emirates was not in A:5). Other differences "
                  "between 2021 and 2026 are not known, and the date the group changed to its 2026 "
                  "form is not known." % issue)
    recon_source = ("Reconstruction by exportctl: %s, adjusted by the known November 2021 "
                    "differences (exportctl research notes)" % official_source)

    lists = []
    summary = []
    for g in GROUP_ORDER:
        names = groups[g]
        label = labels[g]
        codes = {}
        for n in names:
            c = to_code(n)
            if c in codes:
                die("group %s: %r and %r both map to %s" % (g, codes[c], n, c))
            codes[c] = n
        hk = "CN" in codes
        if hk and "HK" in codes:
            die("group %s lists Hong Kong separately; revisit the Hong Kong rule" % g)

        # 2026 (official) membership
        official_members = [{"country": c} for c in sorted(codes)]
        if hk:
            official_members.append({"country": "HK", "reason": hk_reason,
                                     "source": hk_source, "confidence": "inferred"})
            official_members.sort(key=lambda m: m["country"])

        # November 2021 (reconstructed) membership
        diff = NOV_2021_DIFFERENCES.get(g, {})
        recon = set(codes)
        for c in diff.get("drop", {}):
            if c not in recon:
                die("group %s: cannot drop %s, not in the 2026 table" % (g, c))
            recon.discard(c)
        recon_members = []
        for c in sorted(recon | set(diff.get("add", {})) | ({"HK"} if hk else set())):
            m = {"country": c}
            if c == "HK":
                m.update(reason=hk_reason, source=hk_source)
            elif c in diff.get("add", {}):
                if c in codes:
                    die("group %s: %s is to be added for 2021 but is already in 2026" % (g, c))
                m["reason"] = diff["add"][c]
            recon_members.append(m)

        recon_set = {m["country"] for m in recon_members}
        official_set = {m["country"] for m in official_members}
        removed = []
        for c in sorted(recon_set - official_set):
            if c not in diff.get("add", {}):
                die("group %s: %s disappears between versions without a known reason" % (g, c))
            removed.append({
                "country": c,
                "reason": "Not in Country Group %s in the eCFR of %s; it was in the group in "
                          "November 2021 (exportctl research notes). The date and rule of its "
                          "removal are not known." % (g, issue),
                "source": official_source,
                "confidence": "inferred",
            })

        title = "EAR Country Group %s" % g
        if label != "Country Group %s" % g:
            title += " (%s)" % label
        purpose = ("Destinations in EAR Country Group %s (%s). The EAR uses country groups to decide "
                   "licence-exception availability and licence review policy (15 CFR Part 740)."
                   % (g, label)) + PURPOSE_EXTRA.get(g, "")

        official_version = {
            "effective_from": issue,
            "source": official_source,
            "confidence": "official",
            "note": ("effective_from is the eCFR issue date the table was read from (retrieved %s), "
                     "not the date the group took this form." % doc.get("retrievedAt", "unknown")),
            "reason": "Listed in Country Group %s (%s), %s, eCFR issue %s" % (g, label, citation, issue),
            "members": official_members,
        }
        if g == "D:5":
            official_version["note"] += " " + doc["notes"]["d5Controlling"] + " " + doc["notes"]["macau"]
        if g == "A:5":
            official_version["note"] += " " + doc["notes"]["uae"]
        if removed:
            official_version["removed"] = removed

        lists.append({
            "id": list_id(g),
            "title": title,
            "authority": AUTHORITY,
            "legal_basis": LEGAL_BASIS,
            "purpose": purpose,
            "versions": [
                {
                    "effective_from": RECONSTRUCTED_FROM,
                    "source": recon_source,
                    "confidence": "inferred",
                    "note": recon_note,
                    "reason": ("In Country Group %s in the %s eCFR table, assumed to have been in it "
                               "in November 2021 (reconstruction)" % (g, issue)),
                    "members": [dict(m, confidence="inferred") for m in recon_members],
                },
                official_version,
            ],
        })
        summary.append((g, len(recon_members), len(official_members), hk,
                        [r["country"] for r in removed],
                        sorted(official_set - recon_set)))

    out = {"format": "exportctl-lists/1", "lists": lists}
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(tmp, out_path)

    print("wrote %s (%d lists)" % (out_path, len(lists)))
    print("%-5s %-6s %10s %10s  %-4s %-8s %s" % ("group", "list", RECONSTRUCTED_FROM, issue,
                                                 "HK", "removed", "added"))
    for g, n21, n26, hk, rem, add in summary:
        print("%-5s %-6s %10d %10d  %-4s %-8s %s" % (
            g, list_id(g)[7:], n21, n26, "yes" if hk else "-",
            ",".join(rem) or "-", ",".join(add) or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
