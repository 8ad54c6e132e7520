/*
 * test_partyimport.c: the denied-party list importers.  Fixtures in
 * tests/data/parties/ hold a few real rows of each format (cut from
 * ../shared/data) and malformed rows whose line numbers must appear in the
 * snapshot's rejected rows; then every party list in ../shared/data is
 * imported with its counts asserted (skipped when ../shared is absent),
 * the CLI command is run on a real database file, and allocation failures
 * are injected into every importer.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "mem.h"
#include "parties.h"
#include "partyimport.h"
#include "store.h"

/* ---- helpers ------------------------------------------------------------- */

static xc_store *fresh_store(const char *name)
{
    xc_store *s = NULL;
    xc_error err;
    remove(tu_path(name));
    if (xc_store_open(tu_path(name), &s, &err))
        fail_msg("%s", err.msg);
    return s;
}

static size_t party_docs(xc_store *s)
{
    char **keys = NULL;
    size_t n = 0;
    xc_error err;
    if (xc_store_doc_keys(s, XC_DOC_PARTIES, XC_TS_LATEST, &keys, &n, &err))
        fail_msg("%s", err.msg);
    xc_strv_free(keys, n);
    return n;
}

static int import(xc_store *s, const char *format, const char *path, const char *list_id, const char *list_date,
                  xc_party_import_report *rep, xc_error *err)
{
    xc_party_import_opts o = {list_id, list_date, NULL, 0};
    return xc_parties_import_path(s, format, path, &o, rep, err);
}

static void import_ok(xc_store *s, const char *format, const char *path, const char *list_id, const char *list_date,
                      xc_party_import_report *rep)
{
    xc_error err;
    if (import(s, format, path, list_id, list_date, rep, &err))
        fail_msg("%s: %s", path, err.msg);
}

static void expect_counts(const xc_party_import_report *r, size_t entries, size_t aliases, size_t rejected,
                          size_t warnings)
{
    if (r->entries != entries || r->aliases != aliases || r->rejected != rejected || r->warnings != warnings)
        fail_msg("%s: got %zu entries, %zu aliases, %zu rejected, %zu warnings; expected %zu, %zu, %zu, %zu",
                 r->key, r->entries, r->aliases, r->rejected, r->warnings, entries, aliases, rejected, warnings);
}

/* Whether a rejected row (or warning) names file:line and contains text. */
static int has_note(const xc_party_reject *v, size_t n, const char *file, long line, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if ((!file || (v[i].file && strcmp(v[i].file, file) == 0)) && v[i].line == line &&
            strstr(v[i].reason, text))
            return 1;
    return 0;
}

#define REJECTED(rep, file, line, text) assert_true(has_note((rep)->rejects, (rep)->n_rejects, file, line, text))
#define WARNED(rep, file, line, text) assert_true(has_note((rep)->warns, (rep)->n_warns, file, line, text))

static const xc_party_snapshot *load_one(xc_store *s, const char *list_id, xc_party_snapshot **all, size_t *n)
{
    xc_error err;
    if (xc_parties_load(s, XC_TS_LATEST, all, n, &err))
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*all)[i].list_id, list_id) == 0)
            return &(*all)[i];
    fail_msg("no snapshot of %s", list_id);
    return NULL;
}

static const xc_party_entry *entry(const xc_party_snapshot *snap, const char *id)
{
    for (size_t i = 0; i < snap->n_entries; i++)
        if (strcmp(snap->entries[i].id, id) == 0)
            return &snap->entries[i];
    fail_msg("no entry %s in %s", id, snap->list_id);
    return NULL;
}

static const xc_party_entry *entry_named(const xc_party_snapshot *snap, const char *name)
{
    for (size_t i = 0; i < snap->n_entries; i++)
        if (strcmp(snap->entries[i].name, name) == 0)
            return &snap->entries[i];
    fail_msg("no entry named %s in %s", name, snap->list_id);
    return NULL;
}

static int has_str(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

static const xc_party_snapshot *load_in(const xc_party_snapshot *all, size_t n, const char *list_id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].list_id, list_id) == 0)
            return &all[i];
    fail_msg("no snapshot of %s", list_id);
    return NULL;
}

static size_t count_tag(const xc_party_snapshot *snap, const char *tag)
{
    size_t k = 0;
    for (size_t i = 0; i < snap->n_entries; i++)
        k += has_str(snap->entries[i].tags, snap->entries[i].n_tags, tag);
    return k;
}

static size_t count_type(const xc_party_snapshot *snap, const char *type)
{
    size_t k = 0;
    for (size_t i = 0; i < snap->n_entries; i++)
        k += snap->entries[i].type && strcmp(snap->entries[i].type, type) == 0;
    return k;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the source-to-tag table --------------------------------------------- */

static void test_source_tags(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Entity List (EL) - Bureau of Industry and Security", "us-entity-list"},
        {"Specially Designated Nationals (SDN) - Treasury Department", "us-ofac-sdn"},
        {"Denied Persons List (DPL) - Bureau of Industry and Security", "us-bis-dpl"},
        {"Unverified List (UVL) - Bureau of Industry and Security", "us-bis-uvl"},
        {"Military End User (MEU) List - Bureau of Industry and Security", "us-bis-meu"},
        {"ITAR Debarred (DTC) - State Department", "us-ddtc-debarred"},
        {"Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department", "us-ofac-ns-mbs"},
        {"Entity List", "us-entity-list"},
        {"us-entity-list", "us-entity-list"},
        {"Some New List (SNL) - Department of Examples", "some-new-list-snl-department-of-examples"},
        {"  ", "unknown-source"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char tag[80];
        xc_party_source_tag(cases[i][0], tag, sizeof(tag));
        assert_string_equal(tag, cases[i][1]);
    }
}

/* ---- ofac-sdn ----------------------------------------------------------------- */

static void test_ofac_fixture(void **state)
{
    (void)state;
    xc_store *s = fresh_store("ofac.db");
    xc_party_import_report rep;
    import_ok(s, "ofac-sdn", tu_data("parties/ofac"), NULL, "2021-07-01", &rep);
    expect_counts(&rep, 5, 8, 11, 1);
    assert_string_equal(rep.key, "us-ofac-sdn@2021-07-01");
    assert_int_equal(rep.recorded, 1);
    assert_int_equal(strlen(rep.hash), 64);
    REJECTED(&rep, "sdn.csv", 6, "11 fields, expected 12");
    REJECTED(&rep, "sdn.csv", 7, "SDN_Type \"spaceship\"");
    REJECTED(&rep, "sdn.csv", 8, "missing name");
    REJECTED(&rep, "sdn.csv", 9, "ent_num \"X12\" is not a number");
    REJECTED(&rep, "sdn.csv", 10, "repeats the entry on line 1");
    REJECTED(&rep, "alt.csv", 9, "ent_num \"99999\", which is not in sdn.csv");
    REJECTED(&rep, "alt.csv", 10, "no alt_name");
    REJECTED(&rep, "alt.csv", 12, "3 fields, expected 5");
    REJECTED(&rep, "add.csv", 11, "\"99998\"");
    REJECTED(&rep, "add.csv", 12, "3 fields, expected 6");
    REJECTED(&rep, "sdn_comments.csv", 2, "\"77777\"");
    WARNED(&rep, "alt.csv", 11, "kept once");
    xc_party_import_report_clear(&rep);

    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *snap = load_one(s, "us-ofac-sdn", &all, &n);
    assert_string_equal(snap->format, "ofac-sdn");
    assert_int_equal(snap->n_entries, 5);
    assert_int_equal(snap->n_aliases, 8);
    assert_int_equal(snap->n_rejected, 11);
    assert_int_equal(snap->n_rejected_kept, 11);
    assert_string_equal(snap->rejected[0].file, "sdn.csv");
    assert_int_equal(snap->rejected[0].line, 6);
    assert_int_equal(snap->n_warnings, 1);
    const xc_party_entry *pt = entry(snap, "31455");
    assert_string_equal(pt->name, "AKTSIONERNOE OBSHCHESTVO POZITIV TEKNOLODZHIZ");
    assert_string_equal(pt->type, "entity");
    assert_string_equal(pt->country, "RU");
    assert_int_equal(pt->n_aliases, 2);
    assert_string_equal(pt->aliases[0], "JSC POSITIVE TECHNOLOGIES");
    assert_string_equal(pt->aliases[1], "POZITIV TEKNOLODZHIZ, AO");
    assert_int_equal(pt->n_programs, 4);
    assert_string_equal(pt->programs[0], "NPWMD");
    assert_string_equal(pt->programs[2], "CAATSA - RUSSIA");
    assert_string_equal(pt->programs[3], "RUSSIA-EO14024");
    assert_int_equal(pt->n_tags, 1);
    assert_string_equal(pt->tags[0], "us-ofac-sdn");
    const xc_party_entry *djibo = entry(snap, "32391");
    assert_string_equal(djibo->type, "individual");
    assert_string_equal(djibo->country, "ML"); /* first address: Menaka Region, Mali */
    assert_true(has_str(djibo->dates_of_birth, djibo->n_dates_of_birth, "1984"));
    assert_true(has_str(djibo->nationalities, djibo->n_nationalities, "Niger"));
    assert_string_equal(entry(snap, "15036")->type, "vessel");
    assert_null(entry(snap, "15036")->country); /* its only address is -0- */
    const xc_party_entry *bnc = entry(snap, "306");
    assert_string_equal(bnc->country, "CH"); /* first of four addresses */
    assert_string_equal(bnc->remarks, "a.k.a. 'BNC'.; Additional remark from sdn_comments.");
    xc_parties_free(all, n);
    xc_store_close(s);
}

static void test_ofac_needs_date_and_files(void **state)
{
    (void)state;
    xc_store *s = fresh_store("ofac-bad.db");
    xc_party_import_report rep;
    xc_error err;
    /* no list date in the files: --list-date is required */
    assert_int_equal(import(s, "ofac-sdn", tu_data("parties/ofac"), NULL, NULL, &rep, &err), XC_EINVAL);
    assert_string_equal(err.field, "--list-date");
    assert_non_null(strstr(err.msg, "--list-date is required for --format ofac-sdn"));
    /* a folder without alt.csv */
    mkdir(tu_path("ofac-partial"), 0700);
    char from[600], to[600];
    snprintf(from, sizeof(from), "%s/sdn.csv", tu_data("parties/ofac"));
    snprintf(to, sizeof(to), "%s/sdn.csv", tu_path("ofac-partial"));
    tu_copy(from, to);
    assert_int_equal(import(s, "ofac-sdn", tu_path("ofac-partial"), NULL, "2021-07-01", &rep, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "alt.csv: cannot open"));
    /* a file where a folder is expected */
    assert_int_equal(import(s, "ofac-sdn", to, NULL, "2021-07-01", &rep, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "expects a folder"));
    assert_int_equal(party_docs(s), 0);
    xc_store_close(s);
}

/* ---- csl-csv, csl-json ------------------------------------------------------ */

static void test_csl_csv_current(void **state)
{
    (void)state;
    xc_store *s = fresh_store("csl.db");
    xc_party_import_report rep;
    import_ok(s, "csl-csv", tu_data("parties/csl-current.csv"), NULL, "2026-07-31", &rep);
    expect_counts(&rep, 5, 9, 5, 0);
    assert_string_equal(rep.key, "us-csl@2026-07-31");
    REJECTED(&rep, "csl-current.csv", 7, "28 fields, expected 29");
    REJECTED(&rep, "csl-current.csv", 8, "type \"Robot\"");
    REJECTED(&rep, "csl-current.csv", 9, "missing name (id \"no-name\")");
    REJECTED(&rep, "csl-current.csv", 10, "start_date \"2023-02-30\"");
    REJECTED(&rep, "csl-current.csv", 11, "repeats the entry on line 6");
    xc_party_import_report_clear(&rep);
    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *snap = load_one(s, "us-csl", &all, &n);
    const xc_party_entry *rim = entry_named(snap, "RIM, Ryong Nam");
    assert_string_equal(rim->type, "individual");
    assert_string_equal(rim->country, "CN"); /* "Shenyang, CN; Pyongyang, KP" */
    assert_string_equal(rim->tags[0], "us-ofac-sdn");
    assert_string_equal(rim->source_list, "Specially Designated Nationals (SDN) - Treasury Department");
    const xc_party_entry *cetc = entry_named(snap, "China Electronics Technology Group Corporation 13th Research "
                                                   "Institute (CETC 13)");
    assert_string_equal(cetc->tags[0], "us-entity-list");
    assert_null(cetc->type); /* the CSL leaves the type of Entity List rows empty */
    assert_string_equal(entry_named(snap, "Atlas Sanatgaran")->tags[0], "us-bis-uvl");
    assert_string_equal(entry_named(snap, "Atlas Sanatgaran")->country, "AM");
    xc_parties_free(all, n);
    xc_store_close(s);
}

static void test_csl_csv_2019_and_bad_header(void **state)
{
    (void)state;
    xc_store *s = fresh_store("csl2019.db");
    xc_party_import_report rep;
    xc_error err;
    import_ok(s, "csl-csv", tu_data("parties/csl-2019.csv"), "us-csl-2019", "2019-06-01", &rep);
    expect_counts(&rep, 4, 3, 2, 0);
    REJECTED(&rep, "csl-2019.csv", 6, "20 fields, expected 28");
    REJECTED(&rep, "csl-2019.csv", 7, "type \"Ship?\"");
    xc_party_import_report_clear(&rep);
    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *snap = load_one(s, "us-csl-2019", &all, &n);
    const xc_party_entry *dpl = entry_named(snap, "ADRIAN MANUEL HERNANDEZ");
    assert_string_equal(dpl->tags[0], "us-bis-dpl");
    assert_non_null(strstr(dpl->id, "us-bis-dpl-")); /* no id in the 2019 layout: a stable generated one */
    xc_parties_free(all, n);
    /* a CSV that is not a CSL */
    tu_write(tu_path("not-csl.csv"), "name,country\nAcme,IL\n");
    assert_int_equal(import(s, "csl-csv", tu_path("not-csl.csv"), NULL, "2026-07-31", &rep, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "not-csl.csv:1: not a Consolidated Screening List header"));
    /* an unterminated quote cannot be parsed at all */
    tu_write(tu_path("cut.csv"),
             "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,"
             "end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,"
             "gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,"
             "dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n"
             "\"a\",\"Entity List (EL) - Bureau of Industry and Security\",,,,\"Unterminated Name\n");
    assert_int_equal(import(s, "csl-csv", tu_path("cut.csv"), NULL, "2026-07-31", &rep, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "cut.csv:2: malformed CSV"));
    assert_int_equal(party_docs(s), 1);
    xc_store_close(s);
}

static void test_csl_json(void **state)
{
    (void)state;
    xc_store *s = fresh_store("csljson.db");
    xc_party_import_report rep;
    /* no --list-date: the latest source_last_updated */
    import_ok(s, "csl-json", tu_data("parties/csl.json"), NULL, NULL, &rep);
    expect_counts(&rep, 5, 9, 5, 0);
    assert_string_equal(rep.key, "us-csl@2026-07-30");
    assert_true(has_note(rep.rejects, rep.n_rejects, "csl.json", 0, "expected an object"));
    assert_string_equal(rep.rejects[0].path, "$.results[5]");
    assert_string_equal(rep.rejects[1].path, "$.results[6]");
    assert_non_null(strstr(rep.rejects[1].reason, "name has the wrong type"));
    assert_string_equal(rep.rejects[2].path, "$.results[7]");
    assert_string_equal(rep.rejects[3].path, "$.results[8]");
    assert_string_equal(rep.rejects[4].path, "$.results[9]");
    xc_party_import_report_clear(&rep);
    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *snap = load_one(s, "us-csl", &all, &n);
    const xc_party_entry *rim = entry_named(snap, "RIM, Ryong Nam");
    assert_string_equal(rim->country, "CN");
    assert_string_equal(rim->type, "individual");
    assert_string_equal(rim->address, "Shenyang, CN");
    const xc_party_entry *rosneft = entry_named(snap, "ROSNEFT TRADE LIMITED");
    assert_string_equal(rosneft->country, "CY");
    assert_string_equal(rosneft->aliases[0], "TNK TRADE LIMITED");
    assert_string_equal(rosneft->tags[0], "us-ofac-ssi");
    xc_parties_free(all, n);
    xc_store_close(s);
}

/* ---- un-xml ------------------------------------------------------------------ */

static void test_un_xml(void **state)
{
    (void)state;
    xc_store *s = fresh_store("un.db");
    xc_party_import_report rep;
    xc_error err;
    import_ok(s, "un-xml", tu_data("parties/un.xml"), NULL, NULL, &rep);
    expect_counts(&rep, 3, 8, 2, 0);
    assert_string_equal(rep.key, "un-consolidated@2026-02-27"); /* dateGenerated */
    REJECTED(&rep, "un.xml", 124, "missing name (id \"CDi.003\")");
    REJECTED(&rep, "un.xml", 225, "LISTED_ON \"last Tuesday\"");
    xc_party_import_report_clear(&rep);
    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *snap = load_one(s, "un-consolidated", &all, &n);
    const xc_party_entry *e = entry(snap, "QDi.314");
    assert_string_equal(e->type, "individual");
    assert_string_equal(e->start_date, "2013-02-22");
    /* NAME_ORIGINAL_SCRIPT is an alias */
    assert_true(has_str(e->aliases, e->n_aliases, "عبد الرحمن ولد العامر"));
    assert_true(has_str(e->programs, e->n_programs, "Al-Qaida"));
    assert_true(e->n_dates_of_birth >= 1);
    assert_string_equal(entry(snap, "QDe.002")->type, "entity");
    assert_string_equal(entry(snap, "CDi.002")->name, "FRANK KAKOLELE BWAMBALE");
    assert_string_equal(entry(snap, "CDi.002")->country, "CD"); /* nationality, no address country */
    xc_parties_free(all, n);
    /* not well-formed: the first error, with its line; nothing written */
    assert_int_equal(import(s, "un-xml", tu_data("parties/un-broken.xml"), "un-broken", NULL, &rep, &err),
                     XC_EINVAL);
    assert_non_null(strstr(err.msg, "un-broken.xml:7: invalid XML: Opening and ending tag mismatch"));
    /* an external entity is never fetched */
    tu_write(tu_path("xxe.xml"), "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
                                 "<CONSOLIDATED_LIST dateGenerated=\"2026-01-01T00:00:00Z\"><ENTITIES><ENTITY>"
                                 "<FIRST_NAME>&e;</FIRST_NAME><REFERENCE_NUMBER>X1</REFERENCE_NUMBER></ENTITY>"
                                 "<ENTITY><FIRST_NAME>SAFE</FIRST_NAME><REFERENCE_NUMBER>X2</REFERENCE_NUMBER>"
                                 "</ENTITY></ENTITIES></CONSOLIDATED_LIST>\n");
    import_ok(s, "un-xml", tu_path("xxe.xml"), "un-xxe", NULL, &rep);
    expect_counts(&rep, 1, 0, 1, 0);
    REJECTED(&rep, "xxe.xml", 3, "missing name");
    xc_party_import_report_clear(&rep);
    /* another root element */
    tu_write(tu_path("other.xml"), "<?xml version=\"1.0\"?>\n<sdnList/>\n");
    assert_int_equal(import(s, "un-xml", tu_path("other.xml"), NULL, "2026-01-01", &rep, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "the root element is <sdnList>"));
    assert_int_equal(party_docs(s), 2);
    xc_store_close(s);
}

/* ---- bis-dpl --------------------------------------------------------------------- */

static void test_bis_dpl(void **state)
{
    (void)state;
    xc_store *s = fresh_store("dpl.db");
    xc_party_import_report rep;
    import_ok(s, "bis-dpl", tu_data("parties/dpl.txt"), NULL, NULL, &rep);
    expect_counts(&rep, 6, 0, 3, 2);
    assert_string_equal(rep.key, "us-bis-dpl@2022-08-29"); /* the latest plausible Last_Update */
    REJECTED(&rep, "dpl.txt", 6, "3 fields, expected 12");
    REJECTED(&rep, "dpl.txt", 7, "Effective_Date \"13/45/2020\"");
    REJECTED(&rep, "dpl.txt", 8, "missing name");
    WARNED(&rep, "dpl.txt", 9, "Last_Update \"3017-08-22\"");
    WARNED(&rep, "dpl.txt", 10, "same name and address as the entry on line 2");
    xc_party_import_report_clear(&rep);
    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *snap = load_one(s, "us-bis-dpl", &all, &n);
    const xc_party_entry *ash = entry_named(snap, "I. ASH");
    assert_string_equal(ash->start_date, "2003-06-19");
    assert_string_equal(ash->country, "US");
    assert_string_equal(ash->tags[0], "us-bis-dpl");
    assert_non_null(strstr(ash->remarks, "expires 2056-06-29"));
    assert_non_null(strstr(ash->citation, "68 F.R. 38290"));
    xc_parties_free(all, n);
    /* --list-date wins over the file */
    import_ok(s, "bis-dpl", tu_data("parties/dpl.txt"), NULL, "2022-09-30", &rep);
    assert_string_equal(rep.key, "us-bis-dpl@2022-09-30");
    xc_party_import_report_clear(&rep);
    xc_store_close(s);
}

/* ---- csv ------------------------------------------------------------------------------ */

static void test_plain_csv(void **state)
{
    (void)state;
    xc_store *s = fresh_store("plain.db");
    xc_party_import_report rep;
    xc_error err;
    assert_int_equal(import(s, "csv", tu_data("parties/plain.csv"), NULL, "2026-08-01", &rep, &err), XC_EINVAL);
    assert_string_equal(err.field, "--list-id");
    assert_int_equal(import(s, "csv", tu_data("parties/plain.csv"), "my-list", NULL, &rep, &err), XC_EINVAL);
    assert_string_equal(err.field, "--list-date");
    import_ok(s, "csv", tu_data("parties/plain.csv"), "my-list", "2026-08-01", &rep);
    expect_counts(&rep, 2, 3, 5, 0);
    REJECTED(&rep, "plain.csv", 5, "type \"robot\"");
    REJECTED(&rep, "plain.csv", 6, "country \"Atlantis\"");
    REJECTED(&rep, "plain.csv", 7, "missing name");
    REJECTED(&rep, "plain.csv", 8, "repeats the entry on line 2");
    REJECTED(&rep, "plain.csv", 9, "2 fields, expected 8");
    xc_party_import_report_clear(&rep);
    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *snap = load_one(s, "my-list", &all, &n);
    const xc_party_entry *acme = entry(snap, "acme-1");
    assert_string_equal(acme->tags[0], "us-entity-list"); /* from the list column */
    assert_string_equal(acme->country, "IL");
    assert_string_equal(acme->remarks, "Sells intrusion software\n(two-line remark)");
    const xc_party_entry *ivan = entry_named(snap, "Ivan Petrovich Sidorov");
    assert_string_equal(ivan->type, "individual");
    assert_string_equal(ivan->country, "RU");
    assert_string_equal(ivan->tags[0], "my-list");
    xc_parties_free(all, n);
    tu_write(tu_path("cols.csv"), "name,colour\nAcme,red\n");
    assert_int_equal(import(s, "csv", tu_path("cols.csv"), "my-list", "2026-08-02", &rep, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "cols.csv:1: unknown column \"colour\""));
    /* more rejected rows than are kept: the count is the true total */
    size_t cap = 64 + 1500 * 16, used = 0;
    char *many = malloc(cap);
    used += (size_t)snprintf(many + used, cap - used, "name,type\nGood One,entity\n");
    for (int i = 0; i < 1500; i++)
        used += (size_t)snprintf(many + used, cap - used, "Bad %d,robot\n", i);
    tu_write(tu_path("many.csv"), many);
    free(many);
    import_ok(s, "csv", tu_path("many.csv"), "many-bad", "2026-08-02", &rep);
    expect_counts(&rep, 1, 0, 1500, 0);
    assert_int_equal(rep.n_rejects, XC_PARTY_REJECTS_KEPT);
    REJECTED(&rep, "many.csv", 3, "type \"robot\"");
    REJECTED(&rep, "many.csv", 1002, "type \"robot\"");
    xc_party_import_report_clear(&rep);
    snap = load_one(s, "many-bad", &all, &n);
    assert_int_equal(snap->n_rejected, 1500);
    assert_int_equal(snap->n_rejected_kept, XC_PARTY_REJECTS_KEPT);
    xc_parties_free(all, n);
    tu_write(tu_path("allbad.csv"), "name,type\nA,robot\nB,alien\n");
    assert_int_equal(import(s, "csv", tu_path("allbad.csv"), "my-list", "2026-08-02", &rep, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "every row (2) was rejected (first: allbad.csv:2: type \"robot\""));
    assert_int_equal(party_docs(s), 2);
    xc_store_close(s);
}

/* ---- exportctl, idempotence, options ---------------------------------------------------- */

static void test_exportctl_format(void **state)
{
    (void)state;
    xc_store *s = fresh_store("exportctl.db");
    xc_party_import_report rep;
    xc_error err;
    char path[600];
    snprintf(path, sizeof(path), "%s/data/parties/us-entity-list.json", XC_SOURCE_DIR);
    import_ok(s, "exportctl", path, NULL, NULL, &rep);
    assert_int_equal(rep.snapshots, 2);
    assert_int_equal(rep.recorded, 2);
    assert_string_equal(rep.key, "us-entity-list@2021-11-04");
    assert_int_equal(rep.rejected, 0);
    xc_party_import_report_clear(&rep);
    import_ok(s, "exportctl", path, NULL, NULL, &rep);
    assert_int_equal(rep.recorded, 0);
    xc_party_import_report_clear(&rep);
    assert_int_equal(import(s, "exportctl", path, "x", NULL, &rep, &err), XC_EINVAL);
    assert_string_equal(err.field, "--list-id");
    /* entries without tags belong to their list */
    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *snap = load_one(s, "us-entity-list", &all, &n);
    assert_int_equal(snap->n_entries, 1);
    assert_int_equal(snap->entries[0].n_tags, 1);
    assert_string_equal(snap->entries[0].tags[0], "us-entity-list");
    assert_null(snap->format);
    assert_int_equal(snap->max_age_days, 0);
    xc_parties_free(all, n);
    xc_store_close(s);
}

static void test_idempotent_and_options(void **state)
{
    (void)state;
    xc_store *s = fresh_store("idem.db");
    xc_party_import_report rep, again;
    xc_error err;
    import_ok(s, "un-xml", tu_data("parties/un.xml"), NULL, NULL, &rep);
    assert_int_equal(rep.recorded, 1);
    import_ok(s, "un-xml", tu_data("parties/un.xml"), NULL, NULL, &again);
    assert_int_equal(again.recorded, 0); /* the same file records nothing */
    assert_string_equal(again.hash, rep.hash);
    xc_party_import_report_clear(&again);
    xc_party_snapshot *all;
    size_t n;
    int64_t id = load_one(s, "un-consolidated", &all, &n)->doc_id;
    xc_parties_free(all, n);

    /* bad options: an error naming the option and the value; nothing written */
    static const struct {
        const char *format, *list_id, *list_date, *field, *text;
    } bad[] = {
        {"un-xml", NULL, "2021-02-30", "--list-date", "\"2021-02-30\" is not a real calendar date"},
        {"un-xml", NULL, "31/12/2021", "--list-date", "\"31/12/2021\" is not a date"},
        {"un-xml", "Bad List", NULL, "--list-id", "\"Bad List\" is not a list id"},
        {"un-json", NULL, NULL, "--format", "unknown format \"un-json\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&err, 0, sizeof(err));
        assert_int_equal(import(s, bad[i].format, tu_data("parties/un.xml"), bad[i].list_id, bad[i].list_date,
                                &again, &err),
                         XC_EINVAL);
        assert_string_equal(err.field, bad[i].field);
        if (!strstr(err.msg, bad[i].text))
            fail_msg("%s: expected \"%s\" in \"%s\"", bad[i].field, bad[i].text, err.msg);
    }
    xc_party_import_opts o = {NULL, NULL, NULL, 40000};
    assert_int_equal(xc_parties_import_path(s, "un-xml", tu_data("parties/un.xml"), &o, &again, &err), XC_EINVAL);
    assert_string_equal(err.field, "--max-age-days");
    assert_int_equal(party_docs(s), 1);
    assert_int_equal(load_one(s, "un-consolidated", &all, &n)->doc_id, id);
    xc_parties_free(all, n);

    /* a declared maximum age and a source make a new version of the snapshot */
    o = (xc_party_import_opts){NULL, NULL, "UN list mirrored 2026-02-28", 30};
    assert_int_equal(xc_parties_import_path(s, "un-xml", tu_data("parties/un.xml"), &o, &again, &err), XC_OK);
    assert_int_equal(again.recorded, 1);
    assert_string_not_equal(again.hash, rep.hash);
    const xc_party_snapshot *snap = load_one(s, "un-consolidated", &all, &n);
    assert_int_equal(snap->max_age_days, 30);
    assert_string_equal(snap->source, "UN list mirrored 2026-02-28");
    assert_true(snap->doc_id != id);
    xc_parties_free(all, n);
    xc_party_import_report_clear(&again);
    xc_party_import_report_clear(&rep);
    xc_store_close(s);
}

/* A stored document whose declared counts disagree with its entries fails to load. */
static void test_counts_checked(void **state)
{
    (void)state;
    xc_store *s = fresh_store("counts.db");
    int n = 0, rec = 0;
    xc_error err;
    const char *doc = "{\"format\":\"exportctl-parties/1\","
                      "\"list\":{\"id\":\"t\",\"title\":\"T\",\"authority\":\"A\"},"
                      "\"snapshots\":[{\"list_date\":\"2026-01-01\",\"source\":\"s\",\"confidence\":\"official\","
                      "\"counts\":{\"entries\":2,\"aliases\":0,\"rejected\":0},"
                      "\"entries\":[{\"id\":\"a\",\"name\":\"A\"}]}]}";
    assert_int_equal(xc_parties_import_json(s, doc, strlen(doc), "c.json", &n, &rec, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "entries is 2 but the snapshot has 1 entries"));
    const char *tags = "{\"format\":\"exportctl-parties/1\","
                       "\"list\":{\"id\":\"t\",\"title\":\"T\",\"authority\":\"A\"},"
                       "\"snapshots\":[{\"list_date\":\"2026-01-01\",\"source\":\"s\",\"confidence\":\"official\","
                       "\"max_age_days\":0,\"entries\":[{\"id\":\"a\",\"name\":\"A\",\"tags\":[\"Not A Tag\"]}]}]}";
    assert_int_equal(xc_parties_import_json(s, tags, strlen(tags), "t.json", &n, &rec, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "max_age_days: must be at least 1 day"));
    const char *badtag = "{\"format\":\"exportctl-parties/1\","
                         "\"list\":{\"id\":\"t\",\"title\":\"T\",\"authority\":\"A\"},"
                         "\"snapshots\":[{\"list_date\":\"2026-01-01\",\"source\":\"s\",\"confidence\":\"official\","
                         "\"entries\":[{\"id\":\"a\",\"name\":\"A\",\"tags\":[\"Not A Tag\"]}]}]}";
    assert_int_equal(xc_parties_import_json(s, badtag, strlen(badtag), "b.json", &n, &rec, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "$.snapshots[0].entries[0].tags[0]"));
    assert_int_equal(party_docs(s), 0);
    xc_store_close(s);
}

/* ---- the CLI ------------------------------------------------------------------------------- */

static void test_cli(void **state)
{
    (void)state;
    if (access(XC_EXPORTCTL, X_OK) != 0) {
        print_message("skipped: %s not built\n", XC_EXPORTCTL);
        skip();
    }
    char *out = NULL, *err = NULL;
    const char *db = tu_path("cli.db");
    remove(db);
    /* a bad option: exit 2, the option named, no database created */
    assert_int_equal(tu_run(&out, &err, "--db", db, "parties", "import", "--format", "csl-csv",
                            tu_data("parties/csl-current.csv"), "--list-date", "2026-02-30", NULL),
                     2);
    assert_non_null(strstr(err, "--list-date"));
    assert_non_null(strstr(err, "2026-02-30"));
    assert_int_equal(access(db, F_OK), -1);
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "--db", db, "parties", "import", "--format", "bis-dpl",
                            tu_data("parties/dpl.txt"), "--max-age-days", "ten", NULL),
                     2);
    assert_non_null(strstr(err, "--max-age-days"));
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "--db", db, "parties", "import", "--format", "ofac-sdn",
                            tu_data("parties/ofac"), NULL),
                     2);
    assert_non_null(strstr(err, "--list-date is required for --format ofac-sdn"));
    assert_int_equal(access(db, F_OK), -1);
    free(out);
    free(err);
    /* table output: counts, the rejected lines, the hash */
    assert_int_equal(tu_run(&out, &err, "--db", db, "parties", "import", "--format", "csl-csv",
                            tu_data("parties/csl-current.csv"), "--list-date", "2026-07-31", NULL),
                     0);
    assert_non_null(strstr(out, "snapshot:  us-csl@2026-07-31 recorded"));
    assert_non_null(strstr(out, "entries:   5"));
    assert_non_null(strstr(out, "rejected:  5"));
    assert_non_null(strstr(out, "csl-current.csv:7: 28 fields, expected 29"));
    assert_non_null(strstr(out, "hash:      "));
    free(out);
    free(err);
    /* JSON; the same file again records nothing */
    assert_int_equal(tu_run(&out, &err, "--db", db, "--json", "parties", "import", "--format", "csl-csv",
                            tu_data("parties/csl-current.csv"), "--list-date", "2026-07-31", NULL),
                     0);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "recorded")), 0);
    assert_string_equal(json_string_value(json_object_get(j, "snapshot")), "us-csl@2026-07-31");
    json_t *counts = json_object_get(j, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "entries")), 5);
    assert_int_equal(json_integer_value(json_object_get(counts, "aliases")), 9);
    assert_int_equal(json_integer_value(json_object_get(counts, "rejected")), 5);
    json_t *r0 = json_array_get(json_object_get(j, "rejected"), 0);
    assert_int_equal(json_integer_value(json_object_get(r0, "line")), 7);
    assert_string_equal(json_string_value(json_object_get(r0, "file")), "csl-current.csv");
    assert_int_equal(strlen(json_string_value(json_object_get(j, "content_hash"))), 64);
    json_decref(j);
    free(out);
    free(err);
    /* a file that cannot be parsed: exit 2 naming file:line */
    assert_int_equal(tu_run(&out, &err, "--db", db, "parties", "import", "--format", "un-xml",
                            tu_data("parties/un-broken.xml"), NULL),
                     2);
    assert_non_null(strstr(err, "un-broken.xml:7:"));
    free(out);
    free(err);
    /* at most 20 rejected rows are printed */
    char many[4096] = "name,type\nGood,entity\n";
    for (int i = 0; i < 30; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "Bad %d,robot\n", i);
    tu_write(tu_path("cli-many.csv"), many);
    assert_int_equal(tu_run(&out, &err, "--db", db, "parties", "import", "--format", "csv", tu_path("cli-many.csv"),
                            "--list-id", "cli-many", "--list-date", "2026-08-01", NULL),
                     0);
    assert_non_null(strstr(out, "rejected rows (first 20 of 30):"));
    assert_non_null(strstr(out, "cli-many.csv:22: type \"robot\""));
    assert_null(strstr(out, "cli-many.csv:23:"));
    free(out);
    free(err);
    /* parties ls shows the imported snapshot next to the bundled ones */
    assert_int_equal(tu_run(&out, &err, "--db", db, "parties", "ls", NULL), 0);
    assert_non_null(strstr(out, "us-csl"));
    assert_non_null(strstr(out, "us-entity-list"));
    free(out);
    free(err);
}

/* ---- allocation failures ---------------------------------------------------------------------- */

static void test_alloc_failures(void **state)
{
    (void)state;
    static const struct {
        const char *format, *file, *list_id, *list_date;
    } cases[] = {
        {"csv", "parties/plain.csv", "my-list", "2026-08-01"},
        {"csl-csv", "parties/csl-current.csv", NULL, "2026-07-31"},
        {"csl-json", "parties/csl.json", NULL, NULL},
        {"un-xml", "parties/un.xml", NULL, NULL},
        {"bis-dpl", "parties/dpl.txt", NULL, NULL},
        {"ofac-sdn", "parties/ofac", NULL, "2021-07-01"},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        int succeeded = 0;
        long tries = 0;
        xc_store *s = fresh_store("alloc.db"); /* a failed import writes nothing: one store will do */
        for (long n = 0; n < 100000 && !succeeded; n += (n < 300 ? 1 : 17), tries++) {
            xc_party_import_report rep;
            xc_error err;
            xc_mem_fail_after(n);
            int rc = import(s, cases[c].format, tu_data(cases[c].file), cases[c].list_id, cases[c].list_date, &rep,
                            &err);
            long failures = xc_mem_failures();
            xc_mem_fail_after(-1);
            if (rc != XC_OK && rc != XC_ENOMEM && rc != XC_EDB)
                fail_msg("%s after %ld allocations: %s", cases[c].format, n, err.msg);
            if (rc != XC_OK)
                assert_int_equal(party_docs(s), 0);
            succeeded = rc == XC_OK && failures == 0;
            xc_party_import_report_clear(&rep);
        }
        assert_int_equal(party_docs(s), 1);
        xc_store_close(s);
        assert_true(succeeded);
        print_message("%s: %ld allocation-failure runs\n", cases[c].format, tries);
    }
}

/* ---- every party list in ../shared/data -------------------------------------------------------- */

static void test_shared_lists(void **state)
{
    (void)state;
    char dir[600];
    snprintf(dir, sizeof(dir), "%s", XC_SHARED_DATA);
    if (access(dir, R_OK) != 0) {
        print_message("skipped: ../shared/data not found\n");
        skip();
    }
    static const struct {
        const char *format, *path, *list_id, *list_date, *key;
        size_t entries, aliases, rejected, warnings;
    } lists[] = {
        /* README: 8,976 entries, 11,910 aliases; 2 alias rows repeat another alias of the same entry
         * (alt.csv lines 1560 and 5848): kept once, with a warning */
        {"ofac-sdn", "ofac-sdn-2021-07", NULL, "2021-07-31", "us-ofac-sdn@2021-07-31", 8976, 11908, 0, 2},
        /* README: 25,921 entries; 31,263 ';'-separated alt_names, 6 repeated within their row */
        {"csl-csv", "csl-2026-07-31/consolidated.csv", NULL, "2026-07-31", "us-csl@2026-07-31", 25921, 31257, 0, 6},
        {"csl-csv", "csl-sample/consolidated.csv", "us-csl-sample", "2026-07-31", "us-csl-sample@2026-07-31", 13, 15,
         0, 0},
        {"csl-csv", "csl-sample/csl-2019-old-layout.csv", "us-csl-2019", "2019-12-31", "us-csl-2019@2019-12-31", 115,
         161, 0, 0},
        /* README: 1,003 records (730 + 273); 2,752 alias names + 378 names in original script, 11 repeats */
        {"un-xml", "un-consolidated-2026-02/consolidated.xml", NULL, NULL, "un-consolidated@2026-02-27", 1003, 3119, 0,
         7},
        /* README: 581 rows; 3 implausible Last_Update years and 2 repeated rows are warnings */
        {"bis-dpl", "bis-dpl-2019/dpl.txt", NULL, NULL, "us-bis-dpl@2022-09-02", 581, 0, 0, 5},
    };
    xc_store *s = fresh_store("shared.db");
    double total = 0;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        char path[900];
        xc_party_import_report rep;
        snprintf(path, sizeof(path), "%s/%s", dir, lists[i].path);
        double t0 = now_s();
        import_ok(s, lists[i].format, path, lists[i].list_id, lists[i].list_date, &rep);
        double t = now_s() - t0;
        total += t;
        print_message("%-42s %-9s %6zu entries %6zu aliases %zu rejected %zu warnings  %.3f s\n", lists[i].path,
                      lists[i].format, rep.entries, rep.aliases, rep.rejected, rep.warnings, t);
        assert_string_equal(rep.key, lists[i].key);
        expect_counts(&rep, lists[i].entries, lists[i].aliases, lists[i].rejected, lists[i].warnings);
        assert_int_equal(rep.recorded, 1);
        xc_party_import_report_clear(&rep);
    }
    /* again: nothing new */
    double t0 = now_s();
    xc_party_import_report rep;
    char path[900];
    snprintf(path, sizeof(path), "%s/csl-2026-07-31/consolidated.csv", dir);
    import_ok(s, "csl-csv", path, NULL, "2026-07-31", &rep);
    assert_int_equal(rep.recorded, 0);
    xc_party_import_report_clear(&rep);
    print_message("csl-2026-07-31 again (nothing recorded): %.3f s; all six imports: %.3f s\n", now_s() - t0, total);

    t0 = now_s();
    xc_party_snapshot *all;
    size_t n;
    const xc_party_snapshot *sdn = load_one(s, "us-ofac-sdn", &all, &n);
    print_message("loading the %zu stored snapshots: %.3f s\n", n, now_s() - t0);
    const xc_party_entry *pt = entry(sdn, "31455");
    assert_string_equal(pt->name, "AKTSIONERNOE OBSHCHESTVO POZITIV TEKNOLODZHIZ");
    assert_true(has_str(pt->aliases, pt->n_aliases, "JSC POSITIVE TECHNOLOGIES"));
    assert_true(has_str(pt->aliases, pt->n_aliases, "POZITIV TEKNOLODZHIZ, AO"));
    assert_true(has_str(pt->programs, pt->n_programs, "CYBER2"));
    assert_string_equal(pt->country, "RU");
    size_t cyber = 0;
    for (size_t i = 0; i < sdn->n_entries; i++)
        cyber += has_str(sdn->entries[i].programs, sdn->entries[i].n_programs, "CYBER2") ||
                 has_str(sdn->entries[i].programs, sdn->entries[i].n_programs, "CYBER1");
    print_message("OFAC entries in a CYBER program: %zu\n", cyber);
    /* the remarks continued in sdn_comments.csv are joined */
    assert_non_null(strstr(entry(sdn, "12300")->remarks, "Linked To: R D I S.A."));
    /* the README's break-downs */
    assert_int_equal(count_tag(load_in(all, n, "us-csl"), "us-ofac-sdn"), 19181);
    assert_int_equal(count_tag(load_in(all, n, "us-csl"), "us-entity-list"), 3420);
    assert_int_equal(count_tag(load_in(all, n, "us-csl"), "us-bis-dpl"), 1596);
    assert_int_equal(count_tag(load_in(all, n, "us-csl-2019"), "us-entity-list"), 22);
    assert_int_equal(count_type(load_in(all, n, "un-consolidated"), "individual"), 730);
    assert_int_equal(count_type(load_in(all, n, "un-consolidated"), "entity"), 273);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i].list_id, "us-csl") != 0)
            continue;
        const xc_party_entry *el = NULL;
        for (size_t k = 0; k < all[i].n_entries && !el; k++)
            if (strcmp(all[i].entries[k].name, "Aktsionernoe Obshchestvo Pozitiv Teknolodzhiz") == 0)
                el = &all[i].entries[k];
        assert_non_null(el);
        assert_string_equal(el->tags[0], "us-entity-list");
        assert_true(has_str(el->aliases, el->n_aliases, "JSC Positive Technologies"));
        const xc_party_entry *candiru = entry_named(&all[i], "Candiru");
        assert_int_equal(candiru->n_aliases, 7);
        assert_string_equal(candiru->country, "IL");
    }
    xc_parties_free(all, n);
    xc_store_close(s);
}

int main(void)
{
    xc_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_tags),
        cmocka_unit_test(test_ofac_fixture),
        cmocka_unit_test(test_ofac_needs_date_and_files),
        cmocka_unit_test(test_csl_csv_current),
        cmocka_unit_test(test_csl_csv_2019_and_bad_header),
        cmocka_unit_test(test_csl_json),
        cmocka_unit_test(test_un_xml),
        cmocka_unit_test(test_bis_dpl),
        cmocka_unit_test(test_plain_csv),
        cmocka_unit_test(test_exportctl_format),
        cmocka_unit_test(test_idempotent_and_options),
        cmocka_unit_test(test_counts_checked),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_shared_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
