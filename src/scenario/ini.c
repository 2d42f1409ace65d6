/* scenario.ini through inih. inih hands lines to our reader one at a time,
 * so the reader knows the line of every key the handler sees and can locate
 * the value's column for messages. */
#include "internal.h"

#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  FILE *fp;
  const char *file;
  psc_diags_t *d;
  uint32_t line;
  char raw[4096]; /* the current line as read */
  int any;
  psc_params_t *p;
  psc__ini_pos_t *pos;
  char last_section[128];
  int warned_section;
  int lenient;
  int rc;
} ini_ctx_t;

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Checks a line inih will see, reporting what inih would only count. */
static void check_syntax(ini_ctx_t *c, const char *s) {
  if (is_blank(s[0]) && s[0] != '\n' && s[0] != '\r')
    return; /* indented: a continuation line for inih */
  while (is_blank(*s))
    s++;
  if (!*s || *s == ';' || *s == '#')
    return;
  if (*s == '[') {
    if (!strchr(s, ']'))
      psc__error(c->d, c->file, c->line, 1, "section header without ']'");
    return;
  }
  if (!strpbrk(s, "=:"))
    psc__error(c->d, c->file, c->line, 1, "expected 'key = value' or '[section]'");
}

static char *reader(char *str, int num, void *stream) {
  ini_ctx_t *c = stream;
  if (!fgets(c->raw, sizeof(c->raw), c->fp))
    return NULL;
  c->line++;
  size_t n = strlen(c->raw);
  if (n && c->raw[n - 1] != '\n' && !feof(c->fp)) {
    psc__error(c->d, c->file, c->line, 1, "line longer than %zu characters", sizeof(c->raw) - 2);
    int ch;
    while ((ch = fgetc(c->fp)) != EOF && ch != '\n')
      ;
  }
  if (memchr(c->raw, '\0', n) != NULL || (n && strlen(c->raw) != n))
    psc__error(c->d, c->file, c->line, 1, "NUL byte: this is not a text file");
  for (size_t i = 0; i < n; i++)
    c->any |= !is_blank(c->raw[i]);
  check_syntax(c, c->line == 1 && !memcmp(c->raw, "\xEF\xBB\xBF", 3) ? c->raw + 3 : c->raw);
  if ((size_t)num <= n) {
    psc__error(c->d, c->file, c->line, 1, "line longer than %d characters", num - 2);
    n = (size_t)num - 1;
  }
  memcpy(str, c->raw, n);
  str[n] = '\0';
  return str;
}

/* Column of the value of the key on the current raw line. */
static uint32_t value_column(const ini_ctx_t *c) {
  const char *s = c->raw;
  if (c->line == 1 && !memcmp(s, "\xEF\xBB\xBF", 3))
    s += 3;
  const char *eq = strpbrk(s, "=:");
  if (!eq)
    return 1;
  const char *v = eq + 1;
  while (*v == ' ' || *v == '\t')
    v++;
  return psc__utf8_len(s, (size_t)(v - s)) + 1;
}

static uint32_t key_column(const ini_ctx_t *c) {
  const char *s = c->raw;
  if (c->line == 1 && !memcmp(s, "\xEF\xBB\xBF", 3))
    s += 3;
  const char *k = s;
  while (*k == ' ' || *k == '\t')
    k++;
  return psc__utf8_len(s, (size_t)(k - s)) + 1;
}

static int known_section(const char *section) {
  for (size_t i = 0; i < psc_param_count(); i++)
    if (!strcmp(psc_param_info(i)->section, section))
      return 1;
  return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value) {
  ini_ctx_t *c = user;
  if (strcmp(section, c->last_section) != 0) {
    snprintf(c->last_section, sizeof(c->last_section), "%s", section);
    c->warned_section = 0;
  }
  const psc_param_info_t *info = psc_param_find(section, name);
  if (!info) {
    /* an unknown key is most often a typo that would silently fall back to
     * the default; --lenient keeps the old warning */
    psc_severity_t sev = c->lenient ? PSC_DIAG_WARNING : PSC_DIAG_ERROR;
    const char *tail = c->lenient ? " ignored" : "";
    char hint[160];
    psc__param_suggest(section, name, hint, sizeof hint);
    if (!known_section(section)) {
      if (!c->warned_section &&
          psc_diags_add(c->d, sev, c->file, c->line, key_column(c), "unknown section [%s]%s%s",
                        section, tail, hint))
        c->rc = PSC_ENOMEM;
      c->warned_section = 1;
    } else if (psc_diags_add(c->d, sev, c->file, c->line, key_column(c),
                             "unknown key '%s' in [%s]%s%s", name, section, tail, hint)) {
      c->rc = PSC_ENOMEM;
    }
    return 1;
  }
  size_t idx = (size_t)(info - psc_param_info(0));
  if (c->pos[idx].line && c->pos[idx].line != c->line) {
    psc__error(c->d, c->file, c->line, key_column(c),
               "duplicate key '%s' in [%s] (first given at line %u)", name, section,
               c->pos[idx].line);
    return 1;
  }
  if (!c->pos[idx].line)
    c->pos[idx] = (psc__ini_pos_t){c->line, value_column(c), NULL};
  char err[512];
  int rc = psc_params_set(c->p, info, value, err, sizeof(err));
  if (rc == PSC_ENOMEM)
    c->rc = rc;
  else if (rc)
    psc__error(c->d, c->file, c->line, value_column(c), "%s", err);
  return 1;
}

int psc__ini_load(const psc__source_t *src, const char *path, psc_params_t *p,
                  psc__ini_pos_t *pos, int lenient, psc_diags_t *d) {
  size_t before = psc_diags_errors(d);
  FILE *fp = src->open(src->ctx, path);
  if (!fp) {
    psc__error(d, path, 1, 1, "cannot open scenario file: %s", strerror(errno));
    return PSC_EINPUT;
  }
  ini_ctx_t *c = calloc(1, sizeof(*c));
  if (!c) {
    fclose(fp);
    return PSC_ENOMEM;
  }
  c->fp = fp;
  c->file = path;
  c->d = d;
  c->p = p;
  c->pos = pos;
  c->lenient = lenient;
  int r = ini_parse_stream(reader, c, handler, c);
  int rc = c->rc;
  if (r == -2)
    rc = PSC_ENOMEM;
  if (!rc && ferror(fp))
    rc = psc__error(d, path, c->line, 1, "read error") ? PSC_ENOMEM : PSC_EINPUT;
  if (!rc && !c->any)
    psc__error(d, path, 1, 1, "file is empty (expected [tables] with communities, sites, labs)");
  if (!rc) {
    for (size_t i = 0; i < psc_param_count(); i++) {
      const psc_param_info_t *info = psc_param_info(i);
      if (info->required && !pos[i].line)
        psc__error(d, path, 1, 1, "missing required key '%s' in section [%s]", info->key,
                   info->section);
    }
  }
  fclose(fp);
  free(c);
  if (rc)
    return rc;
  return psc_diags_errors(d) > before ? PSC_EINPUT : 0;
}
