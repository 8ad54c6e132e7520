#!/usr/bin/env python3
"""Convert the Commerce Country Chart (15 CFR Part 738, Supplement No. 1) into
exportctl's "exportctl-lists/1" format: one list per chart column, plus the
comprehensively embargoed destinations.

Usage:
    python3 tools/ear-chart-to-lists.py COUNTRY_CHART_JSON [ISO_3166_JSON] [OUTPUT_JSON]

    COUNTRY_CHART_JSON  e.g. ../shared/data/ear-ecfr-2026-07-23/country-chart.json
    ISO_3166_JSON       default /usr/share/iso-codes/json/iso_3166-1.json (Debian iso-codes)
    OUTPUT_JSON         default data/lists/us-ear-chart.json next to this script's repository

Lists written:
  * us-ear-chart-cb1 ... us-ear-chart-at2, one per column (CB 1, CB 2, CB 3, NP 1,
    NP 2, NS 1, NS 2, MT 1, RS 1, RS 2, FC 1, CC 1, CC 2, CC 3, AT 1, AT 2): the
    destinations with an X in that column. A column may have no X at all (in the
    2026-07-23 chart the AT columns are empty: the destinations they used to
    mark now have "see part 746" rows). The list id is "us-ear-chart-" plus the
    column name in lower case without the space, so that a rule predicate
    `chart: "us-ear-chart-"` finds the list of a reason for control "NS1".
  * us-ear-embargoed: the chart's rows that carry no marks but a pointer to
    part 746 (Cuba, Iran, North Korea, Syria), with the pointer as the reason.

Country names are mapped to ISO 3166-1 alpha-2 the same way as
tools/ear-groups-to-lists.py (whose EAR_SPELLINGS table is reused): first an
explicit table (EAR_SPELLINGS plus CHART_SPELLINGS below, for spellings that
only the chart uses), which must agree with iso-codes when iso-codes also
matches; otherwise a case-insensitive match on iso-codes' name / common_name /
official_name of the chart name and of every alias the input maps onto it.
Any name that matches nothing, or more than one code, stops the script.

Territory inheritance (the input's `territoryInheritance`, 15 CFR 738.3(b)):
  * a territory without a row of its own (Hong Kong, Cayman Islands) is added,
    confidence "inferred", to every column where the row it inherits has an X;
  * a territory that also has a row of its own (Liechtenstein, footnote 5:
    "Refer to Switzerland") keeps its own row, and the script stops if that
    row differs from the one it inherits.

Each list gets two versions:
  * 2021-11-01, confidence "inferred": assumed equal to the 2026 chart (no
    difference between the November 2021 chart and the 2026 chart is known;
    none was looked for). This lets checks dated from November 2021 on find a
    version in force, like the country-group lists of us-ear.json;
  * the eCFR issue date of the input (2026-07-23), confidence "official".

Python 3 standard library only. The output is deterministic.
"""

import importlib.util
import json
import os
import sys

DEFAULT_ISO = "/usr/share/iso-codes/json/iso_3166-1.json"
SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(SCRIPT_DIR, os.pardir, "data", "lists", "us-ear-chart.json")

RECONSTRUCTED_FROM = "2021-11-01"
AUTHORITY = "U.S. Department of Commerce, Bureau of Industry and Security"
LEGAL_BASIS = "15 C.F.R. Part 738, Supplement No. 1 (Commerce Country Chart)"

EXPECTED_COLUMNS = ["CB 1", "CB 2", "CB 3", "NP 1", "NP 2", "NS 1", "NS 2", "MT 1",
                    "RS 1", "RS 2", "FC 1", "CC 1", "CC 2", "CC 3", "AT 1", "AT 2"]
EXPECTED_EMBARGOED = {"CU", "IR", "KP", "SY"}

# Chart spellings that neither EAR_SPELLINGS nor iso-codes (with the input's
# aliases) resolve. Empty for the 2026-07-23 chart: every chart name maps
# through the shared table or iso-codes (for example "Seycheles" [sic] through
# the input's alias "seychelles"). Add entries here, never guess.
CHART_SPELLINGS = {}

HK_RULE = ("BIS final rule 'Removal of Hong Kong as a Separate Destination under the Export "
           "Administration Regulations', 2020-12-23, FR Doc. 2020-28101 (cited as 85 FR 83788)")
HK_RULE_URL = "https://www.federalregister.gov/documents/2020/12/23/2020-28101"


def die(msg):
    sys.stderr.write("ear-chart-to-lists: error: " + msg + "\n")
    sys.exit(1)


def load_groups_module():
    path = os.path.join(SCRIPT_DIR, "ear-groups-to-lists.py")
    spec = importlib.util.spec_from_file_location("ear_groups_to_lists", path)
    if spec is None or spec.loader is None:
        die("cannot load %s (its EAR_SPELLINGS table is reused)" % path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def list_id(column):
    return "us-ear-chart-" + column.replace(" ", "").lower()


def main(argv):
    if len(argv) < 2 or len(argv) > 4:
        sys.stderr.write(__doc__)
        return 2
    chart_path = argv[1]
    iso_path = argv[2] if len(argv) > 2 else DEFAULT_ISO
    out_path = os.path.normpath(argv[3] if len(argv) > 3 else DEFAULT_OUT)

    sys.dont_write_bytecode = True  # do not leave tools/__pycache__ behind
    groups = load_groups_module()
    spellings = dict(groups.EAR_SPELLINGS)
    for k, v in CHART_SPELLINGS.items():
        if k in spellings and spellings[k] != v:
            die("CHART_SPELLINGS maps %r to %s but EAR_SPELLINGS to %s" % (k, v, spellings[k]))
        spellings[k] = v

    with open(chart_path, encoding="utf-8") as f:
        doc = json.load(f)
    iso_index, iso_codes = groups.load_iso(iso_path)
    norm = groups.norm

    aliases_of = {}
    for alias, target in doc.get("aliases", {}).items():
        aliases_of.setdefault(norm(target), []).append(alias)

    def to_code(name):
        auto = set(iso_index.get(norm(name), set()))
        for alias in aliases_of.get(norm(name), []):
            auto |= iso_index.get(norm(alias), set())
        if name in spellings:
            code = spellings[name]
            if auto and code not in auto:
                die("explicit table maps %r to %s but iso-codes/aliases give %s"
                    % (name, code, sorted(auto)))
        elif len(auto) == 1:
            code = next(iter(auto))
        elif not auto:
            die("cannot map chart country name %r to ISO 3166-1: add it to CHART_SPELLINGS" % name)
        else:
            die("chart country name %r is ambiguous: %s; add it to CHART_SPELLINGS"
                % (name, sorted(auto)))
        if code not in iso_codes and code not in groups.EXTRA_CODES:
            die("code %s for %r is not an ISO 3166-1 alpha-2 code" % (code, name))
        return code

    issue = doc["ecfrIssueDate"]
    src_url = doc["source"]["url"]
    citation = doc["citation"]
    columns = doc["columns"]
    labels = doc["columnLabels"]
    if columns != EXPECTED_COLUMNS:
        die("unexpected chart columns: %s" % columns)

    official_source = "%s, eCFR issue %s: %s" % (citation, issue, src_url)

    # rows -> codes
    rows = {}  # code -> (name, set of columns)
    for name, row in sorted(doc["countries"].items()):
        code = to_code(name)
        if code in rows:
            die("%r and %r both map to %s" % (rows[code][0], name, code))
        marks = set(row["marks"])
        bad = marks - set(columns)
        if bad:
            die("row %r has marks in unknown columns %s" % (name, sorted(bad)))
        rows[code] = (name, marks)

    embargoed = {}
    for name, e in sorted(doc["embargoed"].items()):
        code = to_code(name)
        if code in rows:
            die("%r (%s) is both an embargoed row and a graded row" % (name, code))
        embargoed[code] = (name, e["pointer"], e.get("footnotes", []))
    if set(embargoed) != EXPECTED_EMBARGOED:
        die("embargoed rows are %s, expected %s" % (sorted(embargoed), sorted(EXPECTED_EMBARGOED)))

    # territory inheritance
    inherited = {}  # code -> (parent code, basis text, territory name)
    for terr, info in sorted(doc.get("territoryInheritance", {}).items()):
        tcode = to_code(terr)
        pcode = to_code(info["row"])
        if pcode not in rows:
            die("territory %r inherits the row of %r, which has no graded row" % (terr, info["row"]))
        if tcode in embargoed:
            die("territory %r is an embargoed row" % terr)
        if tcode in rows:
            if rows[tcode][1] != rows[pcode][1]:
                die("%s has its own row %s but inherits %s's row %s; revisit territoryInheritance"
                    % (tcode, sorted(rows[tcode][1]), pcode, sorted(rows[pcode][1])))
            continue  # own row, identical to the inherited one: nothing to add
        inherited[tcode] = (pcode, info["basis"], terr)
    for code in ("HK", "KY"):
        if code not in inherited:
            die("expected %s to be added through territory inheritance" % code)

    def inherit_member(code, column_label):
        pcode, basis, terr = inherited[code]
        pname = rows[pcode][0]
        if code == "HK":
            reason = ("Hong Kong has no row in the Commerce Country Chart. Since %s the EAR treats "
                      "Hong Kong as part of China, whose row has an X in column %s. Basis given by "
                      "the source: %s" % (HK_RULE, column_label, basis))
            source = "%s; %s; %s" % (HK_RULE, HK_RULE_URL, official_source)
        else:
            reason = ("%s has no row in the Commerce Country Chart; as a dependent territory it "
                      "takes the licence requirements of the row for %s (15 C.F.R. 738.3(b)), which has an "
                      "X in column %s. Basis given by the source: %s"
                      % (terr.title(), pname, column_label, basis))
            source = "15 C.F.R. 738.3(b); %s" % official_source
        return {"country": code, "reason": reason, "source": source, "confidence": "inferred"}

    recon_source = ("Reconstruction by exportctl: %s, assumed unchanged since November 2021"
                    % official_source)
    recon_note = ("Assumed equal to the %s eCFR chart: the November 2021 chart is assumed to be the "
                  "same as the %s one except where known otherwise, and no difference is known "
                  "(none was researched). The date the chart took its %s form is not known."
                  % (issue, issue, issue))
    official_note = ("effective_from is the eCFR issue date the chart was read from (retrieved %s), "
                     "not the date the column took this form. An X means a licence is required "
                     "for that reason for control unless a licence exception applies (%s). "
                     % (doc.get("retrievedAt", "unknown"), doc["procedure"]["citation"])
                     + doc["procedure"]["noMarkCaveat"])

    lists = []
    summary = []
    for col in columns:
        label = labels[col]
        members = sorted(c for c, (_, marks) in rows.items() if col in marks)
        heirs = sorted(c for c, (p, _, _) in inherited.items() if col in rows[p][1])
        off_members = [{"country": c} for c in members] + [inherit_member(c, col) for c in heirs]
        off_members.sort(key=lambda m: m["country"])
        rec_members = [dict(m, confidence="inferred") for m in off_members]
        reason = "X in column %s (%s) of the Commerce Country Chart, %s" % (col, label, official_source)
        title = "EAR Commerce Country Chart, column %s (%s)" % (col, label)
        purpose = ("Destinations with an X in column %s (%s) of the Commerce Country Chart. For an "
                   "item whose ECCN names this column as a reason for control, a licence is "
                   "required to these destinations unless a licence exception applies "
                   "(15 C.F.R. 738.4). Embargoed destinations (Cuba, Iran, North Korea, Syria) have "
                   "no marks and are in us-ear-embargoed instead." % (col, label))
        lists.append({
            "id": list_id(col),
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
                    "reason": ("X in column %s (%s) in the %s chart, assumed to have been there in "
                               "November 2021 (reconstruction)" % (col, label, issue)),
                    "members": rec_members,
                },
                {
                    "effective_from": issue,
                    "source": official_source,
                    "confidence": "official",
                    "note": official_note,
                    "reason": reason,
                    "members": off_members,
                },
            ],
        })
        summary.append((list_id(col), len(members), heirs))

    # embargoed destinations
    emb_members = []
    for code in sorted(embargoed):
        name, pointer, notes = embargoed[code]
        text = "%s: the Commerce Country Chart row has no marks but reads: \"%s\"" % (name, pointer)
        for n in notes:
            text += " Footnote %s: %s" % (n, doc["footnotes"][str(n)])
        emb_members.append({"country": code, "reason": text})
    emb_purpose = ("Destinations whose Commerce Country Chart row has no marks but points to part 746 "
                   "of the EAR (comprehensive embargoes and sanctions: Cuba 746.2, Iran 746.7, "
                   "North Korea 746.4 and 742.19, Syria 746.9). The absence of an X for these "
                   "destinations carries no permissive meaning. "
                   + doc["notes"]["embargoedRows"])
    lists.append({
        "id": "us-ear-embargoed",
        "title": "EAR: destinations under comprehensive embargo (Commerce Country Chart, part 746 rows)",
        "authority": AUTHORITY,
        "legal_basis": "15 C.F.R. Part 738, Supplement No. 1; 15 C.F.R. Part 746",
        "purpose": emb_purpose,
        "versions": [
            {
                "effective_from": RECONSTRUCTED_FROM,
                "source": recon_source,
                "confidence": "inferred",
                "note": recon_note + " Cuba, Iran, North Korea and Syria were all under comprehensive "
                        "U.S. embargoes in November 2021 (FACTS.md section 2; Country Groups E:1 and E:2).",
                "reason": "Embargoed row (pointer to part 746) in the %s chart, assumed the same in "
                          "November 2021 (reconstruction)" % issue,
                "members": [dict(m, confidence="inferred") for m in emb_members],
            },
            {
                "effective_from": issue,
                "source": official_source,
                "confidence": "official",
                "note": ("effective_from is the eCFR issue date the chart was read from, not the "
                         "date the embargo began."),
                "reason": "Embargoed row (pointer to part 746), %s" % official_source,
                "members": emb_members,
            },
        ],
    })

    out = {"format": "exportctl-lists/1", "lists": lists}
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(tmp, out_path)

    print("wrote %s (%d lists; %d chart rows, %d embargoed rows)"
          % (out_path, len(lists), len(rows), len(embargoed)))
    print("%-22s %8s  %s" % ("list", "members", "inherited"))
    for lid, n, heirs in summary:
        print("%-22s %8d  %s" % (lid, n + len(heirs), ",".join(heirs) or "-"))
    print("%-22s %8d" % ("us-ear-embargoed", len(emb_members)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
