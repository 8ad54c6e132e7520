#!/usr/bin/env python3
"""Build data/items/cyber.json ("exportctl-items/1") for the twelve cyber items
from the Commerce Control List (15 CFR Part 774, Supplement No. 1) and the
hand-written facts in this file.

Usage:
    python3 tools/ccl-to-items.py CCL_JSON [OUTPUT_JSON]

    CCL_JSON     e.g. ../shared/data/ear-ecfr-2026-07-23/ccl.json
    OUTPUT_JSON  default data/items/cyber.json next to this script's repository

What comes from where:
  * definition: the ECCN heading plus the item paragraph and its sub-paragraphs,
    quoted from CCL_JSON (the U.S. text follows the Wassenaar/EU text in
    substance), after a short plain-language summary written by hand
    (FACTS.md section 3);
  * notes: hand-written notes (Wassenaar December 2017 decontrol notes, the
    "intrusion software" definition and its exclusions), plus the CCL notes
    named in ITEMS below, quoted from CCL_JSON;
  * regime "us": reasons for control and flags. ITEMS names, for each item,
    which countryChart rows of the ECCN apply to it (by the start of their
    `control` text); the script checks that the row exists and converts its
    `countryChart` text to a chart column ("NS Column 1." -> "NS1"). Rows whose
    text says "A license is required for all destinations" give the flag
    "all-destinations". The flag "ace-eligible" is set where ITEMS says so, and
    the script checks that the ECCN's License Exception ACE text starts with
    "Yes" and contains the expected words. Dates, notes and confidence are
    hand-written;
  * regimes "wassenaar", "eu", "il": hand-written (dates and sources below).

Which countryChart rows apply: those for the whole entry and those for the
item's own sub-paragraphs (e.g. for 5A001.f: NS1 for .f.3, NS2 for .f except
.f.3, SL for .f.1, AT1). Rows for ".z" paragraphs (4A090-level computing
performance; RS worldwide or to the UAE/D:1/D:4/D:5) and for non-cyber
portions of a generic entry (MT for 4A001.a/4A101 technology, CC for
finger-print equipment) are not taken; each item's note says which were left
out.

Any missing ECCN, paragraph, countryChart row or ACE wording stops the script.
Python 3 standard library only. The output is deterministic.
"""

import json
import os
import re
import sys

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(SCRIPT_DIR, os.pardir, "data", "items", "cyber.json")

# ---------------------------------------------------------------------------
# sources

CCL_SOURCE = "15 C.F.R. Part 774, Supplement No. 1 (eCFR 2026-07-23)"  # + URL from the input
CYBER_RULE = ("BIS interim final rule 'Information Security Controls: Cybersecurity Items', "
              "86 FR 58205 (2021-10-21), effective date delayed from 2022-01-19 to 2022-03-07 by "
              "87 FR 1670 (2022-01-12, FR Doc. 2022-00448); final rule 87 FR 31948 (2022-05-26)")
WA_2013 = ("Wassenaar Arrangement, List of Dual-Use Goods and Technologies as amended at the plenary "
           "of 3-4 December 2013 (Public Statement of the 2013 plenary: new controls on "
           "surveillance and law enforcement/intelligence gathering tools and IP network "
           "surveillance systems)")
WA_1996 = ("Wassenaar Arrangement, Initial Elements and control lists adopted at the plenary of "
           "11-12 July 1996")
WA_2019 = ("Wassenaar Arrangement, List of Dual-Use Goods and Technologies as amended at the "
           "December 2019 plenary, as reported by Felice Laird (Export Strategies LLC), 'A New "
           "Landscape for Information Technology Export Controls: Part 2', "
           "https://www.exportcontrolwebinars.com/blogs/news/a-new-landscape-for-information-technology-export-controls-part-2-export-controls-on-telecommunications")
EU_SOURCE = ("Regulation (EU) 2021/821 of the European Parliament and of the Council of 20 May 2021, "
             "Annex I; OJ L 206, 11.6.2021, p. 1; https://eur-lex.europa.eu/eli/reg/2021/821/oj; "
             "applies from 2021-09-09")
IL_SOURCE = ("Israel, Defense Export Control Law 2007 and Defense Export Control Order (Controlled "
             "Dual-Use Equipment), 2008, as updated (adopts the Wassenaar Arrangement dual-use list); "
             "exportctl research notes (FACTS.md sections 1 and 3)")

INTRUSION_DEF = (
    "\"Intrusion software\" (Wassenaar/EU Annex I definition; EAR 15 CFR 772.1): software specially "
    "designed or modified to avoid detection by monitoring tools, or to defeat protective "
    "countermeasures, of a computer or network-capable device, and performing either the extraction "
    "of data or information, or the modification of system or user data, from that device; or the "
    "modification of the standard execution path of a program or process in order to allow the "
    "execution of externally provided instructions. Excluded: hypervisors, debuggers or software "
    "reverse engineering (SRE) tools; digital rights management (DRM) software; and software "
    "designed to be installed by manufacturers, administrators or users for asset tracking or "
    "recovery. (Paraphrase; FACTS.md section 3.)")
DECONTROL_2017_TECH = (
    "Wassenaar December 2017 decontrol note (in Annex I and the CCL): 4.E.1.a and 4.E.1.c do not "
    "apply to \"vulnerability disclosure\" or \"cyber incident response\"; the note does not diminish "
    "national authorities' rights to ascertain compliance with 4.E.1.a and 4.E.1.c. (FACTS.md "
    "section 3; CCL ECCN 4E001 notes.)")
DECONTROL_2017_4D4 = (
    "Wassenaar December 2017 decontrol note: 4.D.4 does not apply to software specially designed "
    "and limited to provide software updates or upgrades that operate only with the authorisation "
    "of the owner or administrator of the system receiving them and after which the updated "
    "software is neither 4.D.4 software nor \"intrusion software\". (FACTS.md section 3; CCL ECCN "
    "4D004 note.)")
WORDING_4A5 = (
    "Wording: the 2013 Wassenaar text read \"generation, operation or delivery of, or communication "
    "with, 'intrusion software'\"; the current text (Wassenaar, EU Annex I and the CCL of 2026) reads "
    "\"generation, command and control, or delivery of 'intrusion software'\". The definition here "
    "is the current text; the date of the change is not recorded here.")

EU_NOTE = ("Listed in Annex I of Regulation (EU) 2021/821 (FACTS.md section 3): a licence is needed "
           "for every destination outside the EU. Whether this item is excluded from Union General "
           "Export Authorisation EU001 through Annex II is to be checked (FACTS.md section 3) and is "
           "not verified: the flag \"eu001-excluded\" is therefore not set, and the EU rule pack's "
           "EU001 rule carries confidence \"inferred\". Earlier EU law (Regulation (EC) No 428/2009, "
           "as amended) is not modelled: before 2021-09-09 this mapping is not in force.")

IL_NOTE_2013 = ("Inferred: Israel controls cyber items following the Wassenaar dual-use list "
                "(Defense Export Control Order (Controlled Dual-Use Equipment), 2008, as updated); "
                "Israel is not a Wassenaar participant, and the date on which its list took in the "
                "December 2013 additions is not known, so the Wassenaar date is used. The code is the "
                "Wassenaar code.")
IL_NOTE_OLD = ("Inferred: Israel controls dual-use items following the Wassenaar dual-use list "
               "through the Defense Export Control Order (Controlled Dual-Use Equipment), 2008; "
               "the day of the order is not recorded here, so 2008-01-01 is used as an approximate "
               "start (year precision). The code is the Wassenaar code. The part of this entry that "
               "relates to intrusion software or IP network surveillance can only date from the "
               "December 2013 Wassenaar additions.")
IL_NOTE_2019 = ("Inferred: Israel follows the Wassenaar dual-use list; 5.D.1.e was added at the "
                "December 2019 Wassenaar plenary (reported); the date Israel's list took it in is "
                "not known, so the Wassenaar date is used.")

WA_NOTE_OLD = ("Inferred date: this generic development/production/test entry derives from the "
               "control lists adopted with the Wassenaar Arrangement in July 1996 (inherited from "
               "the COCOM lists); 1996-07-12 is an early bound, not an established start date, and "
               "the wording has changed since (the definition here is the current text). Its scope "
               "over intrusion-software platforms or IP network surveillance systems dates only from "
               "the December 2013 additions.")
WA_NOTE_5A1F = ("Inferred date, uncertain: mobile telecommunications interception or jamming "
                "equipment is older than the December 2013 additions but was probably not in the "
                "1996 lists (the EAR says 5A001.f.1 items were 'previously specified by 5A001.i'); "
                "the date it entered the Wassenaar list is not established, and 1996-07-12 is used "
                "as the earliest possible date. Do not rely on this mapping for dates before 2013.")

US_NOTE_OLD = ("Inferred date: the ECCN paragraph has been on the Commerce Control List for far "
               "longer than the period exportctl's data covers; the date its present form took "
               "effect is not established. 1996-07-12 (adoption of the Wassenaar lists from which "
               "the entry derives) is used as an early bound. Reasons for control are those of the "
               "eCFR of 2026-07-23; earlier reasons are assumed the same.")

# ---------------------------------------------------------------------------
# the twelve items
#
# us: list of mappings; each: from, to (optional), chart: [control-text prefix
# of the countryChart rows that apply], ace: expected words in the ACE text or
# None, flags_extra, note, confidence, source ("cyber" = CYBER_RULE).

ITEMS = [
    {
        "code": "4A005", "eccn": "4A005", "para": None,
        "title": "Systems, equipment and components for intrusion software",
        "summary": ("Systems, equipment and components specially designed or modified for the "
                    "generation, command and control, or delivery of \"intrusion software\" "
                    "(Wassenaar 4.A.5, added December 2013)."),
        "notes": [INTRUSION_DEF, WORDING_4A5],
        "ccl_notes": [],
        "wassenaar": {"code": "4.A.5", "from": "2013-12-04", "conf": "official", "src": WA_2013},
        "il": {"from": "2013-12-04", "note": IL_NOTE_2013},
        "us": [{
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry", "AT applies to entire entry"],
            "ace": "Yes, except to Country Group E:1 or E:2",
            "note": ("Added to the CCL by the cybersecurity-items rule (NS and AT controls, License "
                     "Exception ACE), effective 2022-03-07; not controlled by the EAR as 4A005 before "
                     "(the 2015 proposed rule, 80 FR 28853, was not adopted). Left out: RS controls "
                     "for 4A005.z.1/.z.2 (commodities also meeting 4A090 performance parameters; "
                     "licence to any destination worldwide for .z.1, see 15 CFR 742.6(a)(6)(iii)) — "
                     "check .z items by hand. License Exception STA may not be used."),
            "conf": "official", "src": "cyber",
        }],
    },
    {
        "code": "4D004", "eccn": "4D004", "para": None,
        "title": "Software for the generation, command and control, or delivery of intrusion software",
        "summary": ("Software specially designed or modified for the generation, command and control, "
                    "or delivery of \"intrusion software\" (Wassenaar 4.D.4, added December 2013)."),
        "notes": [INTRUSION_DEF, DECONTROL_2017_4D4, WORDING_4A5],
        "ccl_notes": ["4D004 does not apply to"],
        "wassenaar": {"code": "4.D.4", "from": "2013-12-04", "conf": "official", "src": WA_2013},
        "il": {"from": "2013-12-04", "note": IL_NOTE_2013},
        "us": [{
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry", "AT applies to entire entry"],
            "ace": "Yes, except to Country Group E:1 or E:2",
            "note": ("Added to the CCL by the cybersecurity-items rule, effective 2022-03-07; not "
                     "controlled by the EAR as 4D004 before. License Exception STA may not be used."),
            "conf": "official", "src": "cyber",
        }],
    },
    {
        "code": "4D001.a", "eccn": "4D001", "para": "a",
        "title": "Software for the development or production of computers, intrusion-software "
                 "platforms and 4D software",
        "summary": ("Software specially designed or modified for the development or production of "
                    "equipment or software controlled by 4A001, 4A003, 4A004, 4A005 or 4D; for the "
                    "cyber items: development/production software for 4A005 systems and 4D004 "
                    "software (Wassenaar 4.D.1.a)."),
        "notes": [INTRUSION_DEF],
        "ccl_notes": [],
        "wassenaar": {"code": "4.D.1.a", "from": "1996-07-12", "conf": "inferred", "src": WA_1996,
                      "note": WA_NOTE_OLD},
        "il": {"from": "2008-01-01", "note": IL_NOTE_OLD},
        "us": [{
            "from": "1996-07-12", "to": "2022-03-07",
            "chart": ["NS applies to entire entry", "AT applies to entire entry"],
            "ace": None,
            "note": (US_NOTE_OLD + " Before 2022-03-07 4D001.a did not cover software for 4A005 or "
                     "4D004 (those ECCNs did not exist); this mapping stands for the rest of 4D001.a. "
                     "Left out: RS (for .z commodities) and CC (finger-print equipment) rows."),
            "conf": "inferred", "src": "ccl",
        }, {
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry", "AT applies to entire entry"],
            "ace": "Yes for 4D001.a (for the “development”, “production” or “use” of equipment or "
                   "“software” specified in ECCN 4A005 or 4D004), except to Country Group E:1 or E:2",
            "note": ("From 2022-03-07 (cybersecurity-items rule) 4D001.a also covers software for "
                     "4A005 and 4D004. The flag ace-eligible holds only for 4D001.a software for the "
                     "development, production or use of 4A005 equipment or 4D004 software: ACE is not "
                     "available for other 4D001.a software (for 4A001, 4A003, 4A004 or other 4D "
                     "items), which this item code also covers; the model cannot tell them apart. "
                     "Left out: RS (for .z commodities) and CC (finger-print equipment) rows. STA may "
                     "not be used for 4D001.a software for 4A005."),
            "conf": "official", "src": "cyber",
        }],
    },
    {
        "code": "4E001.a", "eccn": "4E001", "para": "a",
        "title": "Technology for the development, production or use of 4A or 4D items "
                 "(including intrusion-software platforms)",
        "summary": ("Technology according to the General Technology Note for the development, "
                    "production or use of equipment or software controlled by 4A or 4D; for the "
                    "cyber items: technology for 4A005 systems and 4D004 software (Wassenaar 4.E.1.a)."),
        "notes": [DECONTROL_2017_TECH, INTRUSION_DEF],
        "ccl_notes": ["4E001.a and .c do not apply", "Note 1 does not diminish"],
        "wassenaar": {"code": "4.E.1.a", "from": "1996-07-12", "conf": "inferred", "src": WA_1996,
                      "note": WA_NOTE_OLD},
        "il": {"from": "2008-01-01", "note": IL_NOTE_OLD},
        "us": [{
            "from": "1996-07-12", "to": "2022-03-07",
            "chart": ["NS applies to entire entry, except for “technology” for 4A090",
                      "AT applies to entire entry"],
            "ace": None,
            "note": (US_NOTE_OLD + " Before 2022-03-07 4E001.a did not cover technology for 4A005 or "
                     "4D004. Left out: MT (technology for 4A001.a and 4A101; MT1 has the same members "
                     "as NS1 in the 2026 chart), RS (.z) and CC (finger-print equipment) rows."),
            "conf": "inferred", "src": "ccl",
        }, {
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry, except for “technology” for 4A090",
                      "AT applies to entire entry"],
            "ace": "Yes for 4E001.a (for the “development”, “production” or “use” of equipment or "
                   "“software” specified in ECCN 4A005 or 4D004)",
            "note": ("From 2022-03-07 4E001.a also covers technology for 4A005 and 4D004. The flag "
                     "ace-eligible holds only for 4E001.a technology for 4A005 equipment or 4D004 "
                     "software; ACE is not available for other 4E001.a technology, which this item "
                     "code also covers. Left out: MT (technology for 4A001.a and 4A101; MT1 has the "
                     "same members as NS1 in the 2026 chart), RS (.z) and CC (finger-print "
                     "equipment) rows. The 4E001 note on vulnerability disclosure and cyber incident "
                     "response is not modelled by the rules."),
            "conf": "official", "src": "cyber",
        }],
    },
    {
        "code": "4E001.c", "eccn": "4E001", "para": "c",
        "title": "Technology for the development of intrusion software",
        "summary": "Technology for the development of \"intrusion software\" (Wassenaar 4.E.1.c, added "
                   "December 2013).",
        "notes": [DECONTROL_2017_TECH, INTRUSION_DEF],
        "ccl_notes": ["4E001.a and .c do not apply", "Note 1 does not diminish"],
        "wassenaar": {"code": "4.E.1.c", "from": "2013-12-04", "conf": "official", "src": WA_2013},
        "il": {"from": "2013-12-04", "note": IL_NOTE_2013},
        "us": [{
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry, except for “technology” for 4A090",
                      "AT applies to entire entry"],
            "ace": "and for 4E001.c, except to Country Group E:1 or E:2",
            "note": ("Added to the CCL by the cybersecurity-items rule, effective 2022-03-07. The 4E001 "
                     "note on vulnerability disclosure and cyber incident response is not modelled by "
                     "the rules."),
            "conf": "official", "src": "cyber",
        }],
    },
    {
        "code": "5A001.f", "eccn": "5A001", "para": "f",
        "title": "Mobile telecommunications interception or jamming equipment (IMSI catchers)",
        "summary": ("Mobile telecommunications interception or jamming equipment and monitoring "
                    "equipment therefor: interception of voice or data over the air interface (.f.1), "
                    "of subscriber or device identifiers such as IMSI/IMEI or metadata (.f.2, IMSI "
                    "catchers), selective jamming (.f.3) and RF monitoring for such equipment (.f.4) "
                    "(Wassenaar 5.A.1.f)."),
        "notes": [],
        "ccl_notes": ["5A001.f.1 and 5A001.f.2 do not apply to", "See also the International Traffic "
                      "in Arms Regulations (ITAR) (22 CFR parts 120-130). For items specified by "
                      "5A001.f.1"],
        "wassenaar": {"code": "5.A.1.f", "from": "1996-07-12", "conf": "inferred", "src": WA_1996,
                      "note": WA_NOTE_5A1F},
        "il": {"from": "2008-01-01", "note": IL_NOTE_OLD},
        "us": [{
            "from": "1996-07-12",
            "chart": ["NS applies to 5A001.a, b.5, .e, .f.3 and .h",
                      "NS applies to 5A001.b (except .b.5), .c, .d, .f (except f.3), .g, and .j",
                      "SL applies to 5A001.f.1",
                      "AT applies to entire entry"],
            "ace": None,
            "flags_extra": ["no-licence-exceptions"],
            "note": (US_NOTE_OLD + " Reasons: NS1 for 5A001.f.3, NS2 for the rest of 5A001.f, AT1; "
                     "the item code covers all of .f, so both NS columns are given. The flags "
                     "all-destinations and no-licence-exceptions come from SL (surreptitious "
                     "listening), which applies to 5A001.f.1 only: a licence is required for all "
                     "destinations (15 CFR 742.13) and no licence exception applies except GOV for "
                     "items consigned to and for the official use of a U.S. Government agency "
                     "(15 CFR 740.2(a)(3); GOV is not modelled). For .f.2-.f.4 alone these two flags "
                     "over-state the requirement. The EAR's earlier numbering (5A001.i for the .f.1 "
                     "items) is not modelled."),
            "conf": "inferred", "src": "ccl",
        }],
    },
    {
        "code": "5A001.j", "eccn": "5A001", "para": "j",
        "title": "IP network communications surveillance systems",
        "summary": ("IP network communications surveillance systems or equipment, carrier class, "
                    "performing application-layer analysis, extraction and indexing of metadata and "
                    "content, and specially designed for searches on \"hard selectors\" and mapping of "
                    "relational networks; systems for marketing, QoS or QoE are excluded (Wassenaar "
                    "5.A.1.j, added December 2013)."),
        "notes": [],
        "ccl_notes": ["5A001.j does not apply to"],
        "wassenaar": {"code": "5.A.1.j", "from": "2013-12-04", "conf": "official", "src": WA_2013},
        "il": {"from": "2013-12-04", "note": IL_NOTE_2013},
        "us": [{
            "from": "2022-03-07",
            "chart": ["NS applies to 5A001.b (except .b.5), .c, .d, .f (except f.3), .g, and .j",
                      "AT applies to entire entry"],
            "ace": "Yes for 5A001.j, except to Country Group E:1 or E:2",
            "note": ("Inferred date: 5A001.j is ACE-eligible, and ACE was created by the "
                     "cybersecurity-items rule effective 2022-03-07. The U.S. did not implement the "
                     "2013 Wassenaar IP-network-surveillance control earlier: BIS proposed it in "
                     "May 2015 (80 FR 28853, not adopted) and a 2020 secondary source states that "
                     "the U.S. had never added 5A001.j to the CCL (Laird, Export Strategies LLC, "
                     "exportcontrolwebinars.com). That the 2021 rule added 5A001.j itself has not "
                     "been checked against the Federal Register text. License Exception STA may not "
                     "be used to A:5/A:6 destinations."),
            "conf": "inferred", "src": "cyber",
        }],
    },
    {
        "code": "5B001.a", "eccn": "5B001", "para": "a",
        "title": "Test, inspection and production equipment for 5A001 equipment (including IP network "
                 "surveillance systems)",
        "summary": ("Equipment and specially designed components or accessories therefor, specially "
                    "designed for the development or production of equipment, functions or features "
                    "controlled by 5A001 (including 5A001.f and 5A001.j) (Wassenaar 5.B.1.a)."),
        "notes": [],
        "ccl_notes": ["Note: 5B001.a does not apply to optical fiber"],
        "wassenaar": {"code": "5.B.1.a", "from": "1996-07-12", "conf": "inferred", "src": WA_1996,
                      "note": WA_NOTE_OLD},
        "il": {"from": "2008-01-01", "note": IL_NOTE_OLD},
        "us": [{
            "from": "1996-07-12", "to": "2022-03-07",
            "chart": ["NS applies to entire entry", "AT applies to entire entry"],
            "ace": None,
            "note": US_NOTE_OLD + " Before 2022-03-07 the part for 5A001.j equipment was not controlled.",
            "conf": "inferred", "src": "ccl",
        }, {
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry", "AT applies to entire entry"],
            "ace": "Yes for 5B001.a (for equipment and “specially designed” “components” or "
                   "“accessories” therefor, “specially designed” for the “development” or "
                   "“production” of equipment, functions or features, controlled by 5A001.j)",
            "note": ("The flag ace-eligible holds only for 5B001.a equipment for 5A001.j; ACE is not "
                     "available for other 5B001.a equipment, which this item code also covers. LVS "
                     "and GBS are not available for 5B001.a (for 5A001.j)."),
            "conf": "inferred", "src": "cyber",
        }],
    },
    {
        "code": "5D001.a", "eccn": "5D001", "para": "a",
        "title": "Software for the development, production or use of 5A001 equipment",
        "summary": ("Software specially designed or modified for the development, production or use "
                    "of equipment, functions or features controlled by 5A001 (including mobile "
                    "interception 5A001.f and IP network surveillance 5A001.j) (Wassenaar 5.D.1.a)."),
        "notes": [],
        "ccl_notes": [],
        "wassenaar": {"code": "5.D.1.a", "from": "1996-07-12", "conf": "inferred", "src": WA_1996,
                      "note": WA_NOTE_OLD},
        "il": {"from": "2008-01-01", "note": IL_NOTE_OLD},
        "us": [{
            "from": "1996-07-12", "to": "2022-03-07",
            "chart": ["NS applies to entire entry",
                      "SL applies to the entire entry as applicable for equipment, functions, "
                      "features, or characteristics controlled by 5A001.f.1",
                      "AT applies to entire entry"],
            "ace": None,
            "note": (US_NOTE_OLD + " The flag all-destinations comes from SL, which applies to 5D001 "
                     "software for 5A001.f.1 (licence for all destinations, 15 CFR 742.13; no licence "
                     "exception except GOV, 740.2(a)(3)); for other 5D001.a software it over-states "
                     "the requirement. Before 2022-03-07 software for 5A001.j was not controlled."),
            "conf": "inferred", "src": "ccl",
        }, {
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry",
                      "SL applies to the entire entry as applicable for equipment, functions, "
                      "features, or characteristics controlled by 5A001.f.1",
                      "AT applies to entire entry"],
            "ace": "Yes for 5D001.a (for 5A001.j)",
            "note": ("Two parts of 5D001.a pull in opposite directions and this item code cannot tell "
                     "them apart: software for 5A001.f.1 is SL-controlled (licence for all "
                     "destinations, no licence exception except GOV: flag all-destinations), while "
                     "software for 5A001.j is ACE-eligible (flag ace-eligible). The flag "
                     "no-licence-exceptions is NOT set, so that ACE stays available for the 5A001.j "
                     "part: for 5D001.a software for 5A001.f.1 an answer naming ACE is wrong. TSR is "
                     "not available for 5D001.a (for 5A001.j)."),
            "conf": "inferred", "src": "cyber",
        }],
    },
    {
        "code": "5D001.c", "eccn": "5D001", "para": "c",
        "title": "Software providing characteristics, functions or features of 5A001 or 5B001 equipment",
        "summary": ("Specific software specially designed or modified to provide characteristics, "
                    "functions or features of equipment controlled by 5A001 or 5B001 (including "
                    "5A001.f and 5A001.j) (Wassenaar 5.D.1.c)."),
        "notes": [],
        "ccl_notes": [],
        "wassenaar": {"code": "5.D.1.c", "from": "1996-07-12", "conf": "inferred", "src": WA_1996,
                      "note": WA_NOTE_OLD},
        "il": {"from": "2008-01-01", "note": IL_NOTE_OLD},
        "us": [{
            "from": "1996-07-12", "to": "2022-03-07",
            "chart": ["NS applies to entire entry",
                      "SL applies to the entire entry as applicable for equipment, functions, "
                      "features, or characteristics controlled by 5A001.f.1",
                      "AT applies to entire entry"],
            "ace": None,
            "note": (US_NOTE_OLD + " The flag all-destinations comes from SL, which applies to 5D001 "
                     "software for 5A001.f.1; for other 5D001.c software it over-states the "
                     "requirement. Before 2022-03-07 software for 5A001.j was not controlled."),
            "conf": "inferred", "src": "ccl",
        }, {
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry",
                      "SL applies to the entire entry as applicable for equipment, functions, "
                      "features, or characteristics controlled by 5A001.f.1",
                      "AT applies to entire entry"],
            "ace": "5D001.c (for 5A001.j or 5B001.a (for 5A001.j))",
            "note": ("As for 5D001.a: software for 5A001.f.1 is SL-controlled (flag all-destinations; "
                     "no licence exception except GOV), software for 5A001.j or 5B001.a (for 5A001.j) "
                     "is ACE-eligible (flag ace-eligible); no-licence-exceptions is not set, so an "
                     "answer naming ACE is wrong for the 5A001.f.1 part. TSR is not available for "
                     "5D001.c (for 5A001.j or 5B001.a (for 5A001.j))."),
            "conf": "inferred", "src": "cyber",
        }],
    },
    {
        "code": "5D001.e", "eccn": "5D001", "para": "e",
        "title": "Monitoring-centre software for law-enforcement analysis of intercepted data",
        "summary": ("Software specially designed or modified for monitoring or analysis by law "
                    "enforcement, searching on \"hard selectors\" in content or metadata acquired from "
                    "a communications service provider through a handover interface, and mapping "
                    "relational networks or tracking targeted individuals; billing, QoS, QoE, "
                    "mediation devices and mobile payment are excluded (Wassenaar 5.D.1.e, added "
                    "December 2019)."),
        "notes": [],
        "ccl_notes": ["Note: 5D001.e does not apply to"],
        "wassenaar": {"code": "5.D.1.e", "from": "2019-12-05", "conf": "reported", "src": WA_2019,
                      "note": ("Added at the December 2019 Wassenaar plenary (reported by a secondary "
                               "source); the plenary's exact day is not verified here (5 December "
                               "2019 used).")},
        "il": {"from": "2019-12-05", "note": IL_NOTE_2019},
        "us": [{
            "from": "2020-10-05",
            "chart": ["NS applies to entire entry", "AT applies to entire entry"],
            "ace": None,
            "note": ("Reported date: 5D001.e.1 and e.2 were added to the CCL on 2020-10-05 by the BIS "
                     "rule implementing the 2019 Wassenaar plenary (Laird, Export Strategies LLC, "
                     "exportcontrolwebinars.com); the Federal Register citation is not verified here. "
                     "License Exception ACE does not cover 5D001.e. SL (for 5A001.f.1) is not applied: "
                     "5D001.e is software other than 5D001.a/.c."),
            "conf": "reported",
            "src": "Laird, 'A New Landscape for Information Technology Export Controls: Part 2', "
                   "https://www.exportcontrolwebinars.com/blogs/news/a-new-landscape-for-information-technology-export-controls-part-2-export-controls-on-telecommunications",
        }],
    },
    {
        "code": "5E001.a", "eccn": "5E001", "para": "a",
        "title": "Technology for the development, production or use of 5A001 equipment or 5D001.a/.e "
                 "software",
        "summary": ("Technology according to the General Technology Note for the development, "
                    "production or use (excluding operation) of equipment, functions or features "
                    "controlled by 5A001, or software controlled by 5D001.a or 5D001.e (Wassenaar "
                    "5.E.1.a)."),
        "notes": [],
        "ccl_notes": [],
        "wassenaar": {"code": "5.E.1.a", "from": "1996-07-12", "conf": "inferred", "src": WA_1996,
                      "note": WA_NOTE_OLD},
        "il": {"from": "2008-01-01", "note": IL_NOTE_OLD},
        "us": [{
            "from": "1996-07-12", "to": "2022-03-07",
            "chart": ["NS applies to entire entry",
                      "SL applies to “technology” for the “development” or “production” of equipment, "
                      "functions or features controlled by 5A001.f.1",
                      "AT applies to entire entry"],
            "ace": None,
            "note": (US_NOTE_OLD + " The flag all-destinations comes from SL, which applies to "
                     "technology for 5A001.f.1 equipment or 5D001.a software for it (licence for all "
                     "destinations; no licence exceptions, 15 CFR 738.3(a)(1)); for other 5E001.a "
                     "technology it over-states the requirement. Before 2022-03-07 technology for "
                     "5A001.j was not controlled."),
            "conf": "inferred", "src": "ccl",
        }, {
            "from": "2022-03-07",
            "chart": ["NS applies to entire entry",
                      "SL applies to “technology” for the “development” or “production” of equipment, "
                      "functions or features controlled by 5A001.f.1",
                      "AT applies to entire entry"],
            "ace": "Yes, for 5E001.a (for 5A001.j, 5B001.a (for 5A001.j), 5D001.a (for 5A001.j), or "
                   "5D001.c (for 5A001.j or 5B001.a (for 5A001.j)))",
            "note": ("As for 5D001.a: technology for 5A001.f.1 is SL-controlled with no licence "
                     "exceptions (flag all-destinations), technology for 5A001.j and its software "
                     "and test equipment is ACE-eligible (flag ace-eligible); no-licence-exceptions is "
                     "not set, so an answer naming ACE is wrong for the 5A001.f.1 part. STA may not be "
                     "used for 5E001.a (for 5A001.j ...) to A:5/A:6."),
            "conf": "inferred", "src": "cyber",
        }],
    },
]


def die(msg):
    sys.stderr.write("ccl-to-items: error: " + msg + "\n")
    sys.exit(1)


COLUMN_RE = re.compile(r"^\s*(CB|NP|NS|MT|RS|FC|CC|AT) Column ([123])\.?\s*$")


def chart_column(text, where):
    m = COLUMN_RE.match(text)
    if not m:
        die("%s: countryChart %r is not a chart column" % (where, text))
    return m.group(1) + m.group(2)


def clean(s):
    return " ".join(s.split())


def paragraph_block(entry, para):
    """The item paragraph `para` of an ECCN and its sub-paragraphs, as text."""
    items = entry["items"]
    start = None
    for i, it in enumerate(items):
        if it["kind"] == "item" and it["paragraph"] == para and it["depth"] == 1:
            start = i
            break
    if start is None:
        die("%s: no paragraph .%s" % (entry["eccn"], para))
    parts = ["%s.%s %s" % (entry["eccn"], para, clean(items[start]["text"]))]
    for it in items[start + 1:]:
        p = it["paragraph"] or ""
        if it["kind"] == "item" and p.startswith(para + "."):
            parts.append("%s.%s %s" % (entry["eccn"], p, clean(it["text"])))
        elif it["kind"] == "item" and it["depth"] == 1:
            break
        elif it["kind"] == "note" and it["depth"] == 1 and p.isdigit():
            continue  # technical notes inside the block: kept out of the definition
        elif it["kind"] == "text":
            continue
    return " ".join(parts)


def ccl_note(entry, prefix):
    """A note of the ECCN that starts with `prefix`, with the list it introduces."""
    items = entry["items"]
    for i, it in enumerate(items):
        if it["kind"] == "text" and clean(it["text"]).startswith(prefix):
            text = clean(it["text"])
            if text.endswith(":"):
                expect = "a"
                for nxt in items[i + 1:]:
                    p = nxt["paragraph"] or ""
                    if nxt["kind"] == "item" and nxt["depth"] == 1 and p == expect:
                        text += " (%s) %s" % (p, clean(nxt["text"]))
                        expect = chr(ord(expect) + 1)
                    elif nxt["kind"] == "note" and p.isdigit():
                        text += " (%s) %s" % (p, clean(nxt["text"]))
                    else:
                        break
                if expect == "a":
                    die("%s: note %r introduces a list that was not found" % (entry["eccn"], prefix))
            return "CCL note to ECCN %s: \"%s\"" % (entry["eccn"], text)
    die("%s: no note starting with %r" % (entry["eccn"], prefix))


def us_mapping(entry, code, spec, ccl_src, cyber_src):
    where = "%s (%s)" % (code, spec["from"])
    reasons, flags = [], []
    rows = entry.get("countryChart", [])
    for prefix in spec["chart"]:
        hits = [r for r in rows if clean(r["control"]).startswith(prefix)]
        if len(hits) != 1:
            die("%s: expected one countryChart row starting %r in %s, found %d"
                % (where, prefix, entry["eccn"], len(hits)))
        cc = clean(hits[0]["countryChart"])
        if cc.startswith("A license is required for all destinations"):
            if "all-destinations" not in flags:
                flags.append("all-destinations")
        else:
            col = chart_column(cc, where)
            if col not in reasons:
                reasons.append(col)
    ace_text = clean(entry.get("licenceExceptionFlags", {}).get("ACE", ""))
    if spec["ace"]:
        if not ace_text.startswith("Yes") or spec["ace"] not in ace_text:
            die("%s: ACE text of %s does not say %r: %r" % (where, entry["eccn"], spec["ace"], ace_text))
        flags.append("ace-eligible")
    flags.extend(spec.get("flags_extra", []))
    src = spec["src"]
    if src == "ccl":
        source = ccl_src
    elif src == "cyber":
        source = "%s; %s" % (ccl_src, cyber_src)
    else:
        source = "%s; %s" % (ccl_src, src)
    m = {"regime": "us", "code": code, "effective_from": spec["from"]}
    if spec.get("to"):
        m["effective_to"] = spec["to"]
    m["reasons"] = reasons
    if flags:
        m["flags"] = flags
    note = spec["note"]
    ace_note = (" License Exception ACE text in the CCL: \"%s\"" % ace_text) if spec["ace"] else ""
    m["note"] = note + ace_note
    m["source"] = source
    m["confidence"] = spec["conf"]
    return m


def main(argv):
    if len(argv) < 2 or len(argv) > 3:
        sys.stderr.write(__doc__)
        return 2
    ccl_path = argv[1]
    out_path = os.path.normpath(argv[2] if len(argv) > 2 else DEFAULT_OUT)
    with open(ccl_path, encoding="utf-8") as f:
        doc = json.load(f)
    entries = {e["eccn"]: e for e in doc["entries"]}
    ccl_src = "%s: %s" % (CCL_SOURCE, doc["source"]["url"])
    if doc.get("ecfrIssueDate") != "2026-07-23":
        die("input is the eCFR of %s; the hand-written facts were checked against 2026-07-23"
            % doc.get("ecfrIssueDate"))

    items = []
    seen = set()
    for spec in ITEMS:
        code = spec["code"]
        if code in seen:
            die("item %s twice" % code)
        seen.add(code)
        entry = entries.get(spec["eccn"])
        if entry is None:
            die("ECCN %s not in %s" % (spec["eccn"], ccl_path))
        heading = clean(entry["heading"])
        heading = re.sub(r"\s*\((see|See) List of Items Controlled\)\.?", "", heading).rstrip(" .:")
        if spec["para"]:
            ccl_text = "ECCN %s (%s): %s" % (spec["eccn"], heading, paragraph_block(entry, spec["para"]))
        else:
            ccl_text = "ECCN %s: %s" % (spec["eccn"], heading)
            if not ccl_text.endswith((".", "”", "\"")):
                ccl_text += "."
        definition = "%s CCL text (%s): %s" % (spec["summary"], CCL_SOURCE, ccl_text)
        notes = list(spec["notes"]) + [ccl_note(entry, p) for p in spec["ccl_notes"]]

        wa = spec["wassenaar"]
        regimes = []
        m = {"regime": "wassenaar", "code": wa["code"], "effective_from": wa["from"]}
        if wa.get("note"):
            m["note"] = wa["note"]
        m["source"] = wa["src"]
        m["confidence"] = wa["conf"]
        regimes.append(m)
        regimes.append({
            "regime": "eu", "code": code, "effective_from": "2021-09-09", "flags": ["annex-i"],
            "note": EU_NOTE, "source": EU_SOURCE, "confidence": "official",
        })
        for us in spec["us"]:
            regimes.append(us_mapping(entry, code, us, ccl_src, CYBER_RULE))
        regimes.append({
            "regime": "il", "code": wa["code"], "effective_from": spec["il"]["from"],
            "note": spec["il"]["note"], "source": IL_SOURCE, "confidence": "inferred",
        })
        items.append({
            "code": code,
            "title": spec["title"],
            "definition": definition,
            "notes": notes,
            "source": "%s; %s; Wassenaar Arrangement dual-use list; %s" % (ccl_src, EU_SOURCE,
                                                                          "FACTS.md section 3"),
            "confidence": "official",
            "regimes": regimes,
        })

    out = {"format": "exportctl-items/1", "items": items}
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(tmp, out_path)

    print("wrote %s (%d items)" % (out_path, len(items)))
    for it in items:
        for m in it["regimes"]:
            if m["regime"] == "us":
                print("  %-8s us %s..%s reasons=%s flags=%s" % (
                    it["code"], m["effective_from"], m.get("effective_to", ""),
                    ",".join(m["reasons"]), ",".join(m.get("flags", [])) or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
