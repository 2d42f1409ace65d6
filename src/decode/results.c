/* results.csv: one row per tube (tube,result,ct), every problem positioned. */
#include "decode/decode_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { R_TUBE, R_RESULT, R_CT, R_NCOLS };
static const psc__csv_col_t COLS[] = {{"tube", 1}, {"result", 1}, {"ct", 0}};

typedef struct {
  const char *file;
  psc_diags_t *d;
  const psc__strcol_t *ids;
  uint32_t n, seq_base;
  const psc__plan_view_t *v;
  uint8_t *result;
  double *ct;
  uint32_t *line;
  uint32_t foreign;
} ctx_t;

/* A tube id is YYMMDD, the plan's 4-digit tag, an 8-digit sequence and a
 * check digit: its row follows from the sequence, and is confirmed against
 * the stored id. */
static uint32_t lookup(const ctx_t *c, const char *id, size_t len) {
  if (len != PSC__TUBE_ID_LEN)
    return PSC__NONE;
  uint32_t seq = 0;
  for (int i = 10; i < 18; i++) {
    if (id[i] < '0' || id[i] > '9')
      return PSC__NONE;
    seq = seq * 10 + (uint32_t)(id[i] - '0');
  }
  if (seq < c->seq_base || seq - c->seq_base >= c->n)
    return PSC__NONE;
  uint32_t row = seq - c->seq_base;
  return memcmp(PSC__STR(*c->ids, row), id, PSC__TUBE_ID_LEN) == 0 ? row : PSC__NONE;
}

static const char *WORDS[] = {"", "positive", "negative", "invalid"};
/* the same words as Chinese labs write them: 阳性, 阴性, 无效 */
static const char *WORDS_ZH[] = {"", "\u9633\u6027", "\u9634\u6027", "\u65e0\u6548"};

/* The result word of text (any case, surrounding blanks ignored), or 0. */
static int result_word(const char *text, size_t len) {
  while (len && (*text == ' ' || *text == '\t'))
    text++, len--;
  while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
    len--;
  for (int k = 1; k <= 3; k++) /* as written (most files), then in any case */
    if (strlen(WORDS[k]) == len && !memcmp(text, WORDS[k], len))
      return k;
  for (int k = 1; k <= 3; k++)
    if ((strlen(WORDS[k]) == len && !strncasecmp(text, WORDS[k], len)) ||
        (strlen(WORDS_ZH[k]) == len && !memcmp(text, WORDS_ZH[k], len)))
      return k;
  return 0;
}

static int row(void *ud, const psc__csv_row_t *r) {
  ctx_t *c = ud;
  const psc__csv_field_t *f = r->field;
  uint32_t t = lookup(c, f[R_TUBE].text, f[R_TUBE].len);
  int word = result_word(f[R_RESULT].text, f[R_RESULT].len);
  if (!word)
    psc__error(c->d, c->file, f[R_RESULT].line, f[R_RESULT].col,
               "result '%s' is not positive, negative or invalid (nor %s, %s or %s)",
               f[R_RESULT].text, WORDS_ZH[1], WORDS_ZH[2], WORDS_ZH[3]);
  double ct = NAN;
  if (f[R_CT].text && f[R_CT].len) {
    psc__num_status_t st = psc__parse_double(f[R_CT].text, 0, 100, &ct);
    if (st != PSC__NUM_OK)
      psc__error(c->d, c->file, f[R_CT].line, f[R_CT].col,
                 "ct '%s' %s (expected a cycle threshold from 0 to 100)", f[R_CT].text,
                 psc__num_status_text(st));
  }
  if (t == PSC__NONE && psc__excel_mangled(f[R_TUBE].text, f[R_TUBE].len)) {
    psc__error(c->d, c->file, f[R_TUBE].line, f[R_TUBE].col, PSC__EXCEL_MANGLED_FMT, "tube",
               f[R_TUBE].text);
    return 0;
  }
  if (t == PSC__NONE) {
    /* a tube id of the same shape but another date or plan tag: another
     * plan's file */
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%06lld%04u", c->v->date_code % 1000000, c->v->tag);
    if (f[R_TUBE].len == PSC__TUBE_ID_LEN &&
        strspn(f[R_TUBE].text, "0123456789") == PSC__TUBE_ID_LEN &&
        strncmp(f[R_TUBE].text, prefix, 10) != 0) {
      c->foreign++;
      psc__error(c->d, c->file, f[R_TUBE].line, f[R_TUBE].col,
                 "tube '%s' is from another plan (dated %.6s, plan tag %.4s); this is plan %s "
                 "(tubes %.6s%.4s...)",
                 f[R_TUBE].text, f[R_TUBE].text, f[R_TUBE].text + 6, c->v->identity, prefix,
                 prefix + 6);
    } else {
      psc__error(c->d, c->file, f[R_TUBE].line, f[R_TUBE].col, "unknown tube '%s' (not in this %s)",
                 f[R_TUBE].text, "plan");
    }
    return 0;
  }
  if (!word)
    return 0;
  if (c->result[t]) {
    if (c->result[t] == word)
      psc__error(c->d, c->file, f[R_TUBE].line, f[R_TUBE].col,
                 "duplicate row for tube '%s' (first at line %u)", f[R_TUBE].text, c->line[t]);
    else
      psc__error(c->d, c->file, f[R_RESULT].line, f[R_RESULT].col,
                 "contradictory results for tube '%s': %s here, %s at line %u", f[R_TUBE].text,
                 WORDS[word], WORDS[c->result[t]], c->line[t]);
    return 0;
  }
  c->result[t] = (uint8_t)word;
  c->ct[t] = ct;
  c->line[t] = r->line;
  return 0;
}

int psc__read_results(const char *path, const psc__strcol_t *ids, uint32_t seq_base,
                      const psc__plan_view_t *v, uint8_t *result, double *ct, psc_diags_t *d) {
  uint32_t n = ids->n;
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    psc__error(d, path, 1, 1, "cannot open the results file: %s",
               errno == ENOENT ? "no such file" : strerror(errno));
    return PSC_EINPUT;
  }
  ctx_t c = {path, d, ids, n, seq_base, v, result, ct, calloc(n + 1, 4), 0};
  int rc = c.line ? 0 : PSC_ENOMEM;
  for (uint32_t t = 0; !rc && t < n; t++) {
    result[t] = RES_NONE;
    ct[t] = NAN;
  }
  size_t before = psc_diags_errors(d);
  uint32_t rows = 0;
  if (!rc)
    rc = psc__csv_read(fp, path, COLS, R_NCOLS, row, &c, d, &rows);
  fclose(fp);
  if (!rc && rows && c.foreign == rows)
    psc__error(d, path, 1, 1, "every tube in this file is from another plan (this is plan %s)",
               v->identity);
  free(c.line);
  if (rc)
    return rc;
  return psc_diags_errors(d) > before ? PSC_EINPUT : 0;
}
