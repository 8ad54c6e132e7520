/*
 * normalize.c: name normalisation for screening.  Pipeline (docs/matching.md):
 *
 *   UTF-8 -> UTF-16 -> NFKC + case folding (ICU NFKC_Casefold)
 *   -> Hangul syllables romanised here (Revised Romanisation, with the usual
 *      spellings of common surnames) so that each syllable is a token
 *   -> ICU "Russian-Latin/BGN; Any-Latin; Latin-ASCII" (one transliterator
 *      per thread, cloned from a prototype)
 *   -> ASCII: letters and digits kept, apostrophes deleted (O'Brien, Ol'ga),
 *      everything else a separator; commas and dots remembered
 *   -> tokens -> legal forms, "LAST, First" reordering, honorifics,
 *      particles (joined to the next token), stop words, generic business
 *      words, initials, phonetic keys.
 *
 * A pure-ASCII input skips ICU entirely (most list entries are ASCII).
 * Nothing here prints; errors go to the xc_error record.
 */
#include "normalize.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "mem.h"

#define TRANSLIT_ID "Russian-Latin/BGN; Any-Latin; Latin-ASCII"
#define RAW_MAX 64 /* raw tokens considered before classification */

/* ---- word tables ---------------------------------------------------------------- */

/* Company legal forms, as token sequences.  weak = only at the start or the
 * end of the name (or next to another legal form), because the word also
 * occurs inside names ("SA", "AG", "CO", "AO", ...). */
typedef struct legal_form {
    const char *seq;
    uint8_t weak;
} legal_form;

static const legal_form legal_forms[] = {
    /* English-speaking world */
    {"ltd", 0}, {"limited", 0}, {"llc", 0}, {"l l c", 1}, {"inc", 0}, {"incorporated", 0}, {"corp", 0},
    {"corporation", 0}, {"company", 0}, {"co", 1}, {"cos", 1}, {"plc", 0}, {"p l c", 1}, {"llp", 0},
    {"l l p", 1}, {"lp", 1}, {"lllp", 0}, {"pllc", 0}, {"pc", 1}, {"pty", 0}, {"pvt", 0}, {"pte", 0},
    {"private limited", 0}, {"public limited company", 0}, {"limited liability company", 0},
    {"limited liability partnership", 0}, {"limited partnership", 0}, {"na", 1},
    /* German, Austrian, Swiss, Dutch, Belgian, Nordic */
    {"gmbh", 0}, {"mbh", 0}, {"ag", 1}, {"a g", 1}, {"kg", 1}, {"kgaa", 0}, {"ohg", 0}, {"ug", 1},
    {"aktiengesellschaft", 0}, {"gesellschaft mit beschrankter haftung", 0}, {"ev", 1}, {"e v", 1},
    {"bv", 1}, {"b v", 1}, {"nv", 1}, {"n v", 1}, {"bvba", 0}, {"cvba", 0}, {"vof", 1},
    {"besloten vennootschap", 0}, {"naamloze vennootschap", 0}, {"ab", 1}, {"publ", 1}, {"as", 1},
    {"a s", 1}, {"asa", 1}, {"aps", 0}, {"a s a", 1}, {"oy", 1}, {"oyj", 0}, {"hf", 1}, {"ehf", 1},
    /* French, Spanish, Portuguese, Italian, Latin America */
    {"sa", 1}, {"s a", 1}, {"sas", 1}, {"s a s", 1}, {"sarl", 0}, {"s a r l", 1}, {"sprl", 0}, {"scrl", 0},
    {"sca", 1}, {"snc", 1}, {"sasu", 0}, {"eurl", 0}, {"societe anonyme", 0}, {"sl", 1}, {"s l", 1},
    {"slu", 1}, {"sau", 1}, {"sociedad anonima", 0}, {"sociedad limitada", 0}, {"sa de cv", 0},
    {"s a de c v", 0}, {"sapi de cv", 0}, {"s de rl", 0}, {"s de r l", 0}, {"s de rl de cv", 0},
    {"s de r l de c v", 0}, {"de cv", 1}, {"ltda", 0}, {"eireli", 0}, {"eirl", 0}, {"cia", 1}, {"spa", 1},
    {"s p a", 1}, {"srl", 0}, {"s r l", 1}, {"sapa", 1}, {"societa per azioni", 0},
    {"societa a responsabilita limitata", 0}, {"scarl", 0},
    /* Central and Eastern Europe */
    {"sp z o o", 0}, {"spzoo", 0}, {"sp zoo", 0}, {"sp k", 1}, {"sro", 0}, {"s r o", 1}, {"spol s r o", 0},
    {"kft", 0}, {"zrt", 0}, {"nyrt", 0}, {"bt", 1}, {"doo", 0}, {"d o o", 1}, {"dd", 1},
    {"ad", 1}, {"ead", 1}, {"eood", 0}, {"ood", 0}, {"uab", 0}, {"sia", 1}, {"ou", 1},
    {"tov", 1}, {"pat", 1}, {"prat", 1}, {"tzov", 1},
    /* Turkish */
    {"anonim sirketi", 0}, {"limited sirketi", 0}, {"ltd sti", 0}, {"sti", 0}, {"sirketi", 0},
    /* Russian (after BGN transliteration and as commonly romanised) */
    {"ooo", 0}, {"oao", 0}, {"zao", 0}, {"pao", 0}, {"ao", 1}, {"nao", 1}, {"jsc", 0}, {"pjsc", 0},
    {"ojsc", 0}, {"cjsc", 0}, {"fgup", 0}, {"gup", 1}, {"mup", 1}, {"ano", 1}, {"npo", 1},
    {"aktsionernoe obshchestvo", 0}, {"aktsionernoye obshchestvo", 0},
    {"otkrytoe aktsionernoe obshchestvo", 0}, {"otkrytoye aktsionernoye obshchestvo", 0},
    {"zakrytoe aktsionernoe obshchestvo", 0}, {"zakrytoye aktsionernoye obshchestvo", 0},
    {"publichnoe aktsionernoe obshchestvo", 0}, {"publichnoye aktsionernoye obshchestvo", 0},
    {"nepublichnoe aktsionernoe obshchestvo", 0}, {"nepublichnoye aktsionernoye obshchestvo", 0},
    {"obshchestvo s ogranichennoi otvetstvennostyu", 0}, {"obshchestvo s ogranichennoy otvetstvennostyu", 0},
    {"obshchestvo s ogranichennoj otvetstvennostju", 0}, {"tovarystvo z obmezhenoyu vidpovidalnistyu", 0},
    {"joint stock company", 0}, {"open joint stock company", 0}, {"closed joint stock company", 0},
    {"public joint stock company", 0}, {"joint stock", 0}, {"limited liability", 0},
    /* Middle East, Africa, South and South-East Asia */
    {"fze", 0}, {"fzco", 0}, {"fzc", 0}, {"fz llc", 0}, {"fzllc", 0}, {"dmcc", 0}, {"wll", 0},
    {"w l l", 1}, {"est", 1}, {"sal", 1}, {"saog", 0}, {"saoc", 0}, {"bsc", 1}, {"psc", 1}, {"qsc", 1},
    {"qpsc", 0}, {"ksc", 1}, {"kscc", 0}, {"kscp", 0}, {"sae", 1}, {"sak", 1}, {"pjs", 1}, {"sdn bhd", 0},
    {"bhd", 0}, {"berhad", 0}, {"sendirian berhad", 0}, {"pt", 1}, {"tbk", 0}, {"cv", 1}, {"pvt ltd", 0},
    /* East Asia (after transliteration) */
    {"kk", 1}, {"k k", 1}, {"kabushiki kaisha", 0}, {"kabushikigaisha", 0}, {"kabushikikaisha", 0},
    {"godo kaisha", 0}, {"yugen kaisha", 0}, {"gk", 1}, {"yk", 1}, {"you xian gong si", 0},
    {"you xian ze ren gong si", 0}, {"gu fen you xian gong si", 0}, {"youxian gongsi", 0},
    {"youxian zeren gongsi", 0}, {"gufen youxian gongsi", 0}, {"gong si", 1}, {"gongsi", 1},
    {"zhu shi hui she", 0}, {"you xian hui she", 0}, {"ju sik hoe sa", 0}, {"jusikhoesa", 0},
    {"yu han hoe sa", 0}, {"chusikhoesa", 0},
};
#define N_LEGAL (sizeof(legal_forms) / sizeof(legal_forms[0]))

/* Leading honorifics and titles.  The second list only counts for
 * names known to be persons, because the words also start company names
 * ("General Dynamics") or are given names. */
static const char *const honorifics[] = {
    "alhaj", "alhaji", "ayatollah", "cheikh", "dame", "datin", "dato", "datuk", "doctor", "dott",
    "dr", "engr", "frau", "hadji", "haj", "haji", "hajj", "hajji", "herr", "hojatoleslam",
    "hojjatoleslam", "hon", "imam", "maulana", "maulvi", "mawlawi", "messrs", "miss", "mister", "mlle",
    "mme", "molvi", "mr", "mrs", "ms", "mullah", "prof", "professor", "rabbi", "rev",
    "reverend", "shaikh", "shaykh", "sheik", "sheikh", "shri", "sir", "smt", "sra", "srta",
};
static const char *const person_titles[] = {
    "adm", "admiral", "brig", "brigadier", "brother", "capt", "captain", "cdr", "cmdr", "col",
    "colonel", "commander", "don", "dona", "emir", "father", "fr", "gen", "general", "king",
    "lady", "lieutenant", "lord", "lt", "maj", "major", "marshal", "minister", "president", "prince",
    "princess", "queen", "sergeant", "sgt", "sister",
};
/* Trailing suffixes (generation, degrees). */
static const char *const suffixes[] = {"dds", "esq", "ii", "iii", "iv", "jnr", "jr", "md", "phd", "snr", "sr"};
/* Particles joined to the next token for persons (and unknown). */
static const char *const person_particles[] = {
    "abou", "abu", "ad", "al", "ar", "as", "ash", "at", "az", "bin", "binti", "bint", "bn", "da", "das",
    "de", "del", "della", "den", "der", "di", "dos", "du", "el", "ibn", "la", "le", "ter",
    "ul", "van", "vom", "von", "zu",
};
/* Particles joined for every type (the Arabic article: Al Qaeda). */
static const char *const entity_particles[] = {"al", "el"};
/* Stop words (entities and unknown): kept, weighted down. */
static const char *const stop_words[] = {"and", "da", "das", "de", "del", "der", "des", "di", "die",
                                         "do", "du", "et", "for", "la", "le", "of", "the", "und", "ve", "y"};
/* Generic business words (entities and unknown). */
static const char *const generic_words[] = {
    "agency", "airlines", "associates", "association", "aviation", "bank", "capital", "center", "centre",
    "chemical", "chemicals", "commercial", "communications", "consultancy", "consultants", "consulting",
    "construction", "development", "electronic", "electronics", "energy", "engineering", "enterprise",
    "enterprises", "equipment", "export", "exports", "foundation", "general", "global", "group", "groupe",
    "groups", "gruppe", "grupo", "holding", "holdings", "import", "imports", "industrial", "industries",
    "industry", "institute", "international", "intl", "investment", "investments", "lab", "laboratories",
    "laboratory", "labs", "logistics", "machinery", "management", "manufacturing", "marine", "maritime",
    "materials", "media", "medical", "network", "networks", "organisation", "organization", "partners",
    "pharmaceutical", "pharmaceuticals", "products", "research", "resources", "science", "sciences",
    "sanayi", "scientific", "security", "service", "services", "shipping", "software", "solutions", "system",
    "systems", "tech", "technologies", "technology", "ticaret", "trade", "trading", "transport",
};

static int in_words(const char *w, const char *const *table, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (table[i][0] == w[0] && strcmp(table[i], w) == 0)
            return 1;
    return 0;
}

#define IN_TABLE(word, table) in_words((word), (table), sizeof(table) / sizeof((table)[0]))

/* Korean surnames: the usual romanisation of the syllable (sorted by code point). */
static const struct {
    uint16_t cp;
    const char *latin;
} ko_surnames[] = {
    {0xAC15, "kang"}, {0xACBD, "kyung"}, {0xACE0, "ko"},   {0xACF5, "kong"},  {0xACFD, "kwak"},
    {0xAD6C, "koo"},  {0xAD6D, "kook"},  {0xAD8C, "kwon"}, {0xAE08, "keum"},  {0xAE30, "ki"},
    {0xAE38, "gil"},  {0xAE40, "kim"},   {0xB0A8, "nam"},  {0xB178, "noh"},   {0xB3C4, "do"},
    {0xB77C, "ra"},   {0xB85C, "ro"},    {0xB958, "ryu"},  {0xB9AC, "ri"},    {0xB9C8, "ma"},
    {0xB9F9, "maeng"}, {0xBA85, "myung"}, {0xBAA8, "mo"},  {0xBB38, "moon"},  {0xBBFC, "min"},
    {0xBC15, "park"}, {0xBC18, "ban"},   {0xBC29, "bang"}, {0xBC30, "bae"},   {0xBC31, "baek"},
    {0xBCC0, "byun"}, {0xBD09, "bong"},  {0xBD80, "boo"},  {0xC11C, "seo"},   {0xC11D, "seok"},
    {0xC120, "sun"},  {0xC124, "seol"},  {0xC131, "sung"}, {0xC18C, "so"},    {0xC190, "son"},
    {0xC1A1, "song"}, {0xC2E0, "shin"},  {0xC2EC, "shim"}, {0xC548, "ahn"},   {0xC591, "yang"},
    {0xC5C4, "eom"},  {0xC5EC, "yeo"},   {0xC5F0, "yeon"}, {0xC5FC, "yeom"},  {0xC608, "ye"},
    {0xC624, "oh"},   {0xC625, "ok"},    {0xC655, "wang"}, {0xC6A9, "yong"},  {0xC6B0, "woo"},
    {0xC6D0, "won"},  {0xC704, "wi"},    {0xC720, "yoo"},  {0xC721, "yook"},  {0xC724, "yoon"},
    {0xC740, "eun"},  {0xC774, "lee"},   {0xC778, "in"},   {0xC784, "lim"},   {0xC7A5, "jang"},
    {0xC804, "jeon"}, {0xC815, "jung"},  {0xC81C, "je"},   {0xC870, "cho"},   {0xC8FC, "joo"},
    {0xC9C0, "ji"},   {0xC9C4, "jin"},   {0xCC28, "cha"},  {0xCC44, "chae"},  {0xCC9C, "cheon"},
    {0xCD5C, "choi"}, {0xCD94, "choo"},  {0xD0C1, "tak"},  {0xD0DC, "tae"},   {0xD3B8, "pyun"},
    {0xD45C, "pyo"},  {0xD558, "ha"},    {0xD55C, "han"},  {0xD568, "ham"},   {0xD5C8, "heo"},
    {0xD604, "hyun"}, {0xD64D, "hong"},  {0xD669, "hwang"},
};

/* Revised Romanisation of Hangul jamo (initial, medial, final). */
static const char *const ko_lead[19] = {"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s",
                                        "ss", "", "j", "jj", "ch", "k", "t", "p", "h"};
static const char *const ko_vowel[21] = {"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
                                         "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"};
static const char *const ko_tail[28] = {"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l",
                                        "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"};

/* ---- ICU state ------------------------------------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static UTransliterator *proto;
static const UNormalizer2 *nfkc_cf;
static pthread_key_t tl_key;
static pthread_mutex_t clone_mu = PTHREAD_MUTEX_INITIALIZER;
static int init_status = XC_OK;
static char init_msg[256];

static void close_translit(void *p)
{
    utrans_close((UTransliterator *)p);
}

static void do_init(void)
{
    UErrorCode st = U_ZERO_ERROR;
    UChar id[64];
    nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
    if (U_FAILURE(st)) {
        init_status = XC_EINTERNAL;
        snprintf(init_msg, sizeof(init_msg), "ICU NFKC_Casefold is not available: %s", u_errorName(st));
        return;
    }
    u_uastrncpy(id, TRANSLIT_ID, (int32_t)(sizeof(id) / sizeof(id[0])));
    proto = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    if (U_FAILURE(st)) {
        init_status = XC_EINTERNAL;
        snprintf(init_msg, sizeof(init_msg), "ICU transliterator \"%s\" is not available: %s", TRANSLIT_ID,
                 u_errorName(st));
        return;
    }
    if (pthread_key_create(&tl_key, close_translit) != 0) {
        init_status = XC_EINTERNAL;
        snprintf(init_msg, sizeof(init_msg), "cannot create the per-thread transliterator key");
    }
}

int xc_normalize_init(xc_error *err)
{
    pthread_once(&init_once, do_init);
    if (init_status != XC_OK)
        return xc_error_set(err, init_status, NULL, "%s", init_msg);
    return XC_OK;
}

static UTransliterator *thread_translit(xc_error *err)
{
    UTransliterator *t = pthread_getspecific(tl_key);
    if (t)
        return t;
    UErrorCode st = U_ZERO_ERROR;
    pthread_mutex_lock(&clone_mu);
    t = utrans_clone(proto, &st);
    pthread_mutex_unlock(&clone_mu);
    if (U_FAILURE(st) || !t) {
        xc_error_set(err, XC_EINTERNAL, NULL, "cannot clone the ICU transliterator: %s", u_errorName(st));
        return NULL;
    }
    if (pthread_setspecific(tl_key, t) != 0) {
        utrans_close(t);
        xc_error_set(err, XC_EINTERNAL, NULL, "cannot keep the per-thread transliterator");
        return NULL;
    }
    return t;
}

void xc_normalize_thread_cleanup(void)
{
    if (init_status != XC_OK || !proto)
        return;
    UTransliterator *t = pthread_getspecific(tl_key);
    if (t) {
        utrans_close(t);
        pthread_setspecific(tl_key, NULL);
    }
}

/* ---- phonetic key ------------------------------------------------------------------- */

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

int xc_phonetic_key(const char *s, size_t n, int abjad, char key[7])
{
    int k = 0;
    key[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return 0;
    for (size_t i = 0; i < n && k < 6;) {
        char c = s[i], n1 = i + 1 < n ? s[i + 1] : 0, n2 = i + 2 < n ? s[i + 2] : 0,
             n3 = i + 3 < n ? s[i + 3] : 0;
        char code = 0;
        size_t step = 1;
        char prev = i > 0 ? s[i - 1] : 0;
        if (is_vowel(c) || (abjad && (c == 'w' || c == 'v'))) {
            i++;
            continue;
        }
        if (c == 's' && n1 == 'h' && n2 == 'c' && n3 == 'h')
            code = 'X', step = 4;
        else if ((c == 's' && n1 == 'c' && n2 == 'h') || (c == 't' && n1 == 'c' && n2 == 'h'))
            code = 'X', step = 3;
        else if (c == 'd' && n1 == 'z' && n2 == 'h')
            code = 'J', step = 3;
        else if (c == 's' && n1 == 'h')
            code = 'X', step = 2;
        else if (c == 'c' && n1 == 'h')
            code = (n2 && !is_vowel(n2)) ? 'K' : 'X', step = 2;
        else if (c == 'p' && n1 == 'h')
            code = 'F', step = 2;
        else if ((c == 't' || c == 'd') && n1 == 'h')
            code = 'T', step = 2;
        else if ((c == 'k' || c == 'g') && n1 == 'h')
            code = 'K', step = 2;
        else if (c == 'z' && n1 == 'h')
            code = 'J', step = 2;
        else if (c == 'd' && n1 == 'j')
            code = 'J', step = 2;
        else if (c == 'c' && n1 == 'k')
            code = 'K', step = 2;
        else if (c == 't' && (n1 == 's' || n1 == 'z'))
            code = 'S', step = 2;
        else {
            switch (c) {
            case 'b': case 'p': code = 'P'; break;
            case 'd': case 't': code = 'T'; break;
            case 'f': case 'v': code = 'F'; break;
            case 'w': code = is_vowel(n1) ? 'F' : 0; break;
            case 'g': code = (n1 == 'e' || n1 == 'i' || n1 == 'y') ? 'J' : 'K'; break;
            case 'c': code = (n1 == 'e' || n1 == 'i' || n1 == 'y') ? 'S' : 'K'; break;
            case 'k': case 'q': code = 'K'; break;
            case 'j': code = 'J'; break;
            case 'l': code = 'L'; break;
            case 'm': code = 'M'; break;
            case 'n': code = 'N'; break;
            case 'r': code = 'R'; break;
            case 's': case 'z': code = 'S'; break;
            case 'x': code = 'K'; break;
            case 'h': code = (abjad || !prev || is_vowel(prev)) ? 'H' : 0; break;
            default: code = 0;
            }
        }
        if (code && (k == 0 || key[k - 1] != code))
            key[k++] = code;
        if (c == 'x' && k < 6 && key[k - 1] != 'S')
            key[k++] = 'S';
        i += step;
    }
    key[k] = '\0';
    return k;
}

/* ---- raw tokens ------------------------------------------------------------------- */

typedef struct raw {
    char text[XC_TOKEN_MAX];
    uint8_t len;
    uint8_t kind;
    uint8_t dotted;   /* followed directly by '.' */
    uint8_t particle; /* length of a particle joined in front */
    uint8_t legalish; /* a weak legal form left as a name word */
    int seg;          /* comma-separated segment */
} raw;

typedef struct rawlist {
    raw t[RAW_MAX];
    int n;
    int nseg;
} rawlist;

/* Split the ASCII text (letters, digits, spaces, ',' and '.') into tokens. */
static void tokenize(const char *s, rawlist *rl)
{
    rl->n = 0;
    rl->nseg = 1;
    int seg = 0;
    for (const char *p = s; *p;) {
        if (*p == ',') {
            if (rl->n > 0 && rl->t[rl->n - 1].seg == seg)
                seg++;
            p++;
            continue;
        }
        if (*p == ' ' || *p == '.') {
            p++;
            continue;
        }
        const char *b = p;
        while (*p && *p != ' ' && *p != ',' && *p != '.')
            p++;
        if (rl->n == RAW_MAX)
            continue;
        raw *r = &rl->t[rl->n++];
        size_t len = (size_t)(p - b);
        if (len > XC_TOKEN_MAX - 1)
            len = XC_TOKEN_MAX - 1;
        memcpy(r->text, b, len);
        r->text[len] = '\0';
        r->len = (uint8_t)len;
        r->kind = XC_TOK_NAME;
        r->dotted = *p == '.';
        r->particle = 0;
        r->legalish = 0;
        r->seg = seg;
    }
    if (rl->n > 0)
        rl->nseg = rl->t[rl->n - 1].seg + 1;
}

static void remove_at(rawlist *rl, int i, int count)
{
    memmove(&rl->t[i], &rl->t[i + count], (size_t)(rl->n - i - count) * sizeof(raw));
    rl->n -= count;
}

/* Entities: "I.B.M." / "S. A." -> one token: a dotted single letter starts a
 * run that takes the following single letters up to the first undotted one. */
static int single_legal(const char *w)
{
    for (size_t f = 0; f < N_LEGAL; f++)
        if (strcmp(legal_forms[f].seq, w) == 0)
            return 1;
    return 0;
}

static void merge_dotted(rawlist *rl, int only_legal)
{
    for (int i = 0; i < rl->n; i++) {
        if (rl->t[i].len != 1 || !rl->t[i].dotted)
            continue;
        int j = i + 1;
        while (j < rl->n && rl->t[j].len == 1) {
            j++;
            if (!rl->t[j - 1].dotted)
                break;
        }
        if (j - i < 2)
            continue;
        if (only_legal) {
            char w[XC_TOKEN_MAX];
            int k;
            for (k = 0; k < j - i && k < XC_TOKEN_MAX - 1; k++)
                w[k] = rl->t[i + k].text[0];
            w[k] = '\0';
            if (!single_legal(w))
                continue;
        }
        raw *r = &rl->t[i];
        for (int k = i + 1; k < j; k++)
            r->text[r->len++] = rl->t[k].text[0];
        r->text[r->len] = '\0';
        r->dotted = 0;
        remove_at(rl, i + 1, j - i - 1);
    }
}

/* Does the legal form seq match the tokens from i?  Returns the token count or 0. */
static int legal_match(const rawlist *rl, int i, const char *seq)
{
    int k = i;
    const char *p = seq;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (k >= rl->n || rl->t[k].len != len || memcmp(rl->t[k].text, p, len) != 0)
            return 0;
        k++;
        p += len;
        if (*p == ' ')
            p++;
    }
    return k - i;
}

static int is_legal(const rawlist *rl, int i)
{
    return i >= 0 && i < rl->n && rl->t[i].kind == XC_TOK_LEGAL;
}

/* Mark legal forms; returns how many tokens were marked.  In a name of
 * unknown type a weak form written as one plain word ("Li Na", "Maria Sa")
 * counts only next to another legal form or after two other words; else it
 * stays a name word flagged as legal-like (weighted down by the matcher). */
static int mark_legal(rawlist *rl, int type)
{
    int marked = 0, changed = 1;
    while (changed) {
        changed = 0;
        for (int i = 0; i < rl->n; i++) {
            if (rl->t[i].kind == XC_TOK_LEGAL)
                continue;
            int best = 0, legalish = 0;
            for (size_t f = 0; f < N_LEGAL; f++) {
                if (legal_forms[f].seq[0] != rl->t[i].text[0])
                    continue;
                int m = legal_match(rl, i, legal_forms[f].seq);
                if (m <= best)
                    continue;
                int ok = 1;
                for (int k = i; k < i + m; k++)
                    if (rl->t[k].kind == XC_TOK_LEGAL)
                        ok = 0;
                if (!ok)
                    continue;
                if (legal_forms[f].weak) {
                    int adjacent = is_legal(rl, i - 1) || is_legal(rl, i + m);
                    ok = i == 0 || i + m == rl->n || adjacent;
                    if (ok && type == XC_NAME_UNKNOWN && !adjacent && m == 1 && !rl->t[i].dotted &&
                        rl->n - m < 3) {
                        legalish = 1;
                        ok = 0;
                    }
                }
                if (ok)
                    best = m;
            }
            if (legalish && !best)
                rl->t[i].legalish = 1;
            for (int k = i; k < i + best; k++) {
                rl->t[k].kind = XC_TOK_LEGAL;
                rl->t[k].legalish = 0;
            }
            if (best) {
                marked += best;
                changed = 1;
            }
        }
    }
    /* a name made only of legal words ("Company Limited") is a name */
    int names = 0;
    for (int i = 0; i < rl->n; i++)
        names += rl->t[i].kind != XC_TOK_LEGAL;
    if (names == 0) {
        for (int i = 0; i < rl->n; i++)
            rl->t[i].kind = XC_TOK_NAME;
        marked = 0;
    }
    return marked;
}

/* "LAST, First [, Jr]" -> "First LAST [Jr]". */
static void reorder(rawlist *rl)
{
    if (rl->nseg < 2 || rl->nseg > 3)
        return;
    /* the last segment may hold only suffixes: "SMITH, John, Jr"; "John Smith, Jr" stays */
    int last_suffixes = 1;
    for (int i = 0; i < rl->n; i++)
        if (rl->t[i].seg == rl->nseg - 1 && !IN_TABLE(rl->t[i].text, suffixes))
            last_suffixes = 0;
    if (rl->nseg == 2 && last_suffixes)
        return;
    if (rl->nseg == 3 && !last_suffixes)
        return;
    raw tmp[RAW_MAX];
    int k = 0;
    for (int s = 1; s >= 0; s--)
        for (int i = 0; i < rl->n; i++)
            if (rl->t[i].seg == s)
                tmp[k++] = rl->t[i];
    for (int i = 0; i < rl->n; i++)
        if (rl->t[i].seg == 2)
            tmp[k++] = rl->t[i];
    if (k == 0 || tmp[0].seg != 1)
        return;
    memcpy(rl->t, tmp, (size_t)k * sizeof(raw));
}

static int count_kind(const rawlist *rl, int kind)
{
    int c = 0;
    for (int i = 0; i < rl->n; i++)
        c += rl->t[i].kind == kind;
    return c;
}

static void mark_honorifics(rawlist *rl, int type)
{
    for (int i = 0; i < rl->n && count_kind(rl, XC_TOK_NAME) > 1; i++) {
        if (rl->t[i].kind != XC_TOK_NAME)
            continue;
        const char *w = rl->t[i].text;
        if (IN_TABLE(w, honorifics) || (type == XC_NAME_PERSON && IN_TABLE(w, person_titles)))
            rl->t[i].kind = XC_TOK_HONORIFIC;
        else if (i + 1 < rl->n && strcmp(w, "his") == 0 &&
                 (strcmp(rl->t[i + 1].text, "excellency") == 0 || strcmp(rl->t[i + 1].text, "eminence") == 0))
            rl->t[i].kind = rl->t[i + 1].kind = XC_TOK_HONORIFIC, i++;
        else if (i + 1 < rl->n && strcmp(w, "tan") == 0 && strcmp(rl->t[i + 1].text, "sri") == 0)
            rl->t[i].kind = rl->t[i + 1].kind = XC_TOK_HONORIFIC, i++;
        else
            break;
    }
    for (int i = rl->n - 1; i > 0 && count_kind(rl, XC_TOK_NAME) > 1; i--) {
        if (rl->t[i].kind == XC_TOK_LEGAL)
            continue;
        if (rl->t[i].kind == XC_TOK_NAME && IN_TABLE(rl->t[i].text, suffixes))
            rl->t[i].kind = XC_TOK_HONORIFIC;
        else
            break;
    }
}

/* Join particles to the next name token: "al qaeda" -> "alqaeda". */
static void join_particles(rawlist *rl, int type)
{
    for (int i = 0; i + 1 < rl->n; i++) {
        raw *r = &rl->t[i];
        if (r->kind != XC_TOK_NAME)
            continue;
        int is_p = type == XC_NAME_ENTITY ? IN_TABLE(r->text, entity_particles) : IN_TABLE(r->text, person_particles);
        if (!is_p)
            continue;
        /* find the end of a chain of particles followed by a name token */
        int j = i;
        while (j < rl->n && rl->t[j].kind == XC_TOK_NAME &&
               (type == XC_NAME_ENTITY ? IN_TABLE(rl->t[j].text, entity_particles)
                                       : IN_TABLE(rl->t[j].text, person_particles)))
            j++;
        if (j >= rl->n || rl->t[j].kind != XC_TOK_NAME)
            continue;
        raw joined = rl->t[j];
        char buf[2 * XC_TOKEN_MAX];
        size_t len = 0;
        for (int k = i; k < j; k++) {
            memcpy(buf + len, rl->t[k].text, rl->t[k].len);
            len += rl->t[k].len;
        }
        size_t plen = len;
        if (plen > 15 || len + joined.len > XC_TOKEN_MAX - 1)
            continue;
        memcpy(buf + len, joined.text, joined.len);
        len += joined.len;
        memcpy(joined.text, buf, len);
        joined.text[len] = '\0';
        joined.len = (uint8_t)len;
        joined.particle = (uint8_t)plen;
        joined.seg = r->seg;
        rl->t[i] = joined;
        remove_at(rl, i + 1, j - i);
    }
}

/* ---- Unicode stages -------------------------------------------------------------- */

typedef struct ubuf {
    UChar *p;
    int32_t len, cap;
} ubuf;

static int ubuf_reserve(ubuf *b, int32_t cap)
{
    if (cap <= b->cap)
        return 0;
    UChar *np = xc_realloc(b->p, (size_t)cap * sizeof(UChar));
    if (!np)
        return -1;
    b->p = np;
    b->cap = cap;
    return 0;
}

static int ubuf_put_ascii(ubuf *b, const char *s)
{
    int32_t n = (int32_t)strlen(s);
    if (b->len + n > b->cap && ubuf_reserve(b, 2 * (b->len + n) + 16))
        return -1;
    for (int32_t i = 0; i < n; i++)
        b->p[b->len++] = (UChar)s[i];
    return 0;
}

static int is_abjad(UChar32 c)
{
    return (c >= 0x0590 && c <= 0x08FF) || (c >= 0xFB1D && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF);
}

static int is_hangul(UChar c)
{
    return c >= 0xAC00 && c <= 0xD7A3;
}

static const char *ko_surname(UChar c)
{
    size_t lo = 0, hi = sizeof(ko_surnames) / sizeof(ko_surnames[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ko_surnames[mid].cp == c)
            return ko_surnames[mid].latin;
        if (ko_surnames[mid].cp < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Romanise Hangul syllables (one token each) and count abjad letters. */
static int hangul_pass(const ubuf *in, ubuf *out, int type, int *abjad_letters, int *letters)
{
    int syllables = 0, first_done = 0;
    for (int32_t i = 0; i < in->len; i++)
        syllables += is_hangul(in->p[i]);
    out->len = 0;
    if (ubuf_reserve(out, in->len + 8 * syllables + 16))
        return -1;
    for (int32_t i = 0; i < in->len; i++) {
        UChar c = in->p[i];
        if (U16_IS_LEAD(c) && i + 1 < in->len && U16_IS_TRAIL(in->p[i + 1])) {
            UChar32 cp = U16_GET_SUPPLEMENTARY(c, in->p[i + 1]);
            *letters += u_isalpha(cp) != 0;
            out->p[out->len++] = c;
            out->p[out->len++] = in->p[++i];
            continue;
        }
        if (u_isalpha(c)) {
            (*letters)++;
            *abjad_letters += is_abjad(c);
        }
        if (!is_hangul(c)) {
            /* Arabic ta marbuta ends names in a vowel (Usama, Fatima): read it as alef */
            out->p[out->len++] = c == 0x0629 ? 0x0627 : c;
            continue;
        }
        const char *sur = NULL;
        if (!first_done && type != XC_NAME_ENTITY && syllables >= 2 && syllables <= 5)
            sur = ko_surname(c);
        first_done = 1;
        char syl[16];
        if (sur) {
            snprintf(syl, sizeof(syl), " %s ", sur);
        } else {
            int s = c - 0xAC00;
            snprintf(syl, sizeof(syl), " %s%s%s ", ko_lead[s / 588], ko_vowel[(s % 588) / 28], ko_tail[s % 28]);
        }
        if (ubuf_put_ascii(out, syl))
            return -1;
    }
    return 0;
}

/* Final pass to ASCII: [a-z0-9], ' ', ',' and '.'. */
static void to_ascii(const UChar *u, int32_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (int32_t i = 0; i < n && k + 1 < cap; i++) {
        UChar c = u[i];
        if (c >= 'A' && c <= 'Z')
            out[k++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[k++] = (char)c;
        else if (c == '\'' || c == '`' || c == 0x00B4 || c == 0x2018 || c == 0x2019 || c == 0x2032 ||
                 (c >= 0x02B9 && c <= 0x02BF))
            continue; /* apostrophes and modifier letters: O'Brien, Ol'ga, ʿAli */
        else if (c == ',' || c == 0x060C || c == 0x3001 || c == 0xFF0C)
            out[k++] = ',';
        else if (c == '.')
            out[k++] = '.';
        else
            out[k++] = ' ';
    }
    out[k] = '\0';
}

/* UTF-8 to the ASCII working string (through ICU unless the input is ASCII). */
static int to_working(const char *utf8, size_t len, int type, char *out, size_t cap, int *abjad, xc_error *err)
{
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)utf8[i] >= 0x80)
            ascii = 0;
    *abjad = 0;
    if (ascii) {
        UChar tmp[XC_NAME_INPUT_MAX];
        for (size_t i = 0; i < len; i++)
            tmp[i] = (UChar)(unsigned char)utf8[i];
        to_ascii(tmp, (int32_t)len, out, cap);
        return XC_OK;
    }
    int rc = xc_normalize_init(err);
    if (rc)
        return rc;
    UTransliterator *tr = thread_translit(err);
    if (!tr)
        return XC_EINTERNAL;
    ubuf a = {0}, b = {0};
    UErrorCode st = U_ZERO_ERROR;
    int32_t n16 = 0;
    rc = XC_OK;
    if (ubuf_reserve(&a, (int32_t)len + 1) || ubuf_reserve(&b, 2 * (int32_t)len + 16))
        goto oom;
    u_strFromUTF8(a.p, a.cap, &n16, utf8, (int32_t)len, &st);
    if (U_FAILURE(st)) {
        rc = xc_error_set(err, XC_EINVAL, "name", "name is not valid UTF-8");
        goto out;
    }
    a.len = n16;
    b.len = unorm2_normalize(nfkc_cf, a.p, a.len, b.p, b.cap, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        st = U_ZERO_ERROR;
        if (ubuf_reserve(&b, b.len + 1))
            goto oom;
        b.len = unorm2_normalize(nfkc_cf, a.p, a.len, b.p, b.cap, &st);
    }
    if (U_FAILURE(st)) {
        rc = xc_error_set(err, XC_EINTERNAL, NULL, "ICU normalisation failed: %s", u_errorName(st));
        goto out;
    }
    int abjad_letters = 0, letters = 0;
    if (hangul_pass(&b, &a, type, &abjad_letters, &letters))
        goto oom;
    *abjad = abjad_letters * 2 > letters;
    /* transliterate in place; Han and Hangul can grow several times */
    for (int attempt = 0; attempt < 3; attempt++) {
        if (ubuf_reserve(&b, a.len * (attempt == 0 ? 8 : 32) + 64))
            goto oom;
        memcpy(b.p, a.p, (size_t)a.len * sizeof(UChar));
        int32_t tlen = a.len, limit = a.len;
        st = U_ZERO_ERROR;
        utrans_transUChars(tr, b.p, &tlen, b.cap, 0, &limit, &st);
        if (st == U_BUFFER_OVERFLOW_ERROR)
            continue;
        if (U_FAILURE(st)) {
            rc = xc_error_set(err, XC_EINTERNAL, NULL, "ICU transliteration failed: %s", u_errorName(st));
            goto out;
        }
        b.len = tlen;
        to_ascii(b.p, b.len, out, cap);
        goto out;
    }
    rc = xc_error_set(err, XC_EINVAL, "name", "name grows too long when transliterated");
    goto out;
oom:
    rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory normalising a name");
out:
    xc_free(a.p);
    xc_free(b.p);
    return rc;
}

/* ---- public ------------------------------------------------------------------------ */

const char *xc_token_kind_name(int kind)
{
    switch (kind) {
    case XC_TOK_NAME: return "name";
    case XC_TOK_LEGAL: return "legal-form";
    case XC_TOK_HONORIFIC: return "honorific";
    case XC_TOK_STOP: return "particle";
    default: return "unknown";
    }
}

int xc_name_normalize(const char *utf8, int type, xc_name *out, xc_error *err)
{
    out->n = 0;
    out->type = type;
    out->norm[0] = '\0';
    if (!utf8)
        return xc_error_set(err, XC_EINVAL, "name", "name is missing");
    if (type != XC_NAME_UNKNOWN && type != XC_NAME_PERSON && type != XC_NAME_ENTITY)
        return xc_error_set(err, XC_EINVAL, "type", "name type %d is not person, entity or unknown", type);
    size_t len = strlen(utf8);
    if (len > XC_NAME_INPUT_MAX)
        return xc_error_set(err, XC_EINVAL, "name", "name is %zu bytes long, more than the maximum of %d", len,
                            XC_NAME_INPUT_MAX);
    static const size_t work_cap = 8 * XC_NAME_INPUT_MAX;
    char *work = xc_malloc(work_cap);
    rawlist *rl = xc_malloc(sizeof(*rl));
    int abjad = 0, rc;
    if (!work || !rl) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory normalising a name");
        goto out;
    }
    if ((rc = to_working(utf8, len, type, work, work_cap, &abjad, err)))
        goto out;
    tokenize(work, rl);
    if (rl->n == 0) {
        rc = xc_error_set(err, XC_EINVAL, "name", "name \"%.64s\" has no letter or digit", utf8);
        goto out;
    }
    if (type != XC_NAME_PERSON)
        merge_dotted(rl, type == XC_NAME_UNKNOWN);
    if (type != XC_NAME_PERSON && mark_legal(rl, type) > 0 && type == XC_NAME_UNKNOWN)
        type = XC_NAME_ENTITY;
    if (type != XC_NAME_ENTITY) {
        reorder(rl);
        mark_honorifics(rl, type);
    }
    join_particles(rl, type);
    if (type != XC_NAME_PERSON) {
        for (int i = 0; i < rl->n; i++)
            if (rl->t[i].kind == XC_TOK_NAME && IN_TABLE(rl->t[i].text, stop_words) &&
                count_kind(rl, XC_TOK_NAME) > 1)
                rl->t[i].kind = XC_TOK_STOP;
    }
    out->type = type;
    size_t o = 0;
    for (int i = 0; i < rl->n && out->n < XC_NAME_MAX_TOKENS; i++) {
        const raw *r = &rl->t[i];
        xc_token *t = &out->tok[out->n++];
        memset(t, 0, sizeof(*t));
        memcpy(t->text, r->text, r->len + 1u);
        t->len = r->len;
        t->kind = r->kind;
        t->initial = r->len == 1 && r->text[0] >= 'a' && r->text[0] <= 'z';
        xc_phonetic_key(t->text, t->len, abjad, t->phon);
        uint8_t flags = 0;
        if (abjad)
            flags |= XC_TOKF_ABJAD;
        if (type != XC_NAME_PERSON && r->kind == XC_TOK_NAME && IN_TABLE(r->text, generic_words))
            flags |= XC_TOKF_GENERIC;
        if (r->legalish && type != XC_NAME_PERSON)
            flags |= XC_TOKF_LEGALISH;
        t->phon[XC_PHON_FLAGS] = (char)(flags | (r->particle << 4));
        if (o + t->len + 2 < sizeof(out->norm)) {
            if (o)
                out->norm[o++] = ' ';
            memcpy(out->norm + o, t->text, t->len);
            o += t->len;
        }
    }
    out->norm[o] = '\0';
    rc = XC_OK;
out:
    xc_free(work);
    xc_free(rl);
    return rc;
}
