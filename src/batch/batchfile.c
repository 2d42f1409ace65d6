/* The batch file: [batch], [base], [grid] and [variant NAME] sections of
 * `name = value` lines (docs/batch.md), read line by line so that every
 * problem has its line and column, and the variants it describes. */
#define _POSIX_C_SOURCE 200809L
#include "batch/batch_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_VARIANTS 100000u
#define LINE_MAX_BYTES 8192

typedef enum { SEC_NONE, SEC_BATCH, SEC_BASE, SEC_GRID, SEC_VARIANT } section_t;

typedef struct {
  psc_batch_t *b;
  psc_diags_t *d;
  uint32_t line;
  section_t sec;
  psc__bgroup_t *group; /* [base] or the current [variant] */
  int seen_scenario, seen_baseline;
  uint32_t scenario_line;
  psc_params_t scratch; /* parameter values are checked on this */
  int rc;
} pctx_t;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static char *trim(char *s) {
  while (is_blank(*s))
    s++;
  char *e = s + strlen(s);
  while (e > s && is_blank(e[-1]))
    *--e = '\0';
  return s;
}

static uint32_t col_of(const char *line, const char *at) {
  return psc__utf8_len(line, (size_t)(at - line)) + 1;
}

static void err(pctx_t *c, const char *line, const char *at, const char *fmt, const char *a,
                const char *b) {
  if (psc__error(c->d, c->b->path, c->line, line && at ? col_of(line, at) : 1, fmt, a, b))
    c->rc = PSC_ENOMEM;
}

static int group_add(psc__bgroup_t *g, psc_override_t o) {
  if (g->n == g->cap) {
    uint32_t cap = g->cap ? 2 * g->cap : 8;
    psc_override_t *set = realloc(g->set, cap * sizeof(*set));
    if (!set)
      return PSC_ENOMEM;
    g->set = set;
    g->cap = cap;
  }
  g->set[g->n++] = o;
  return 0;
}

/* Checks a change's name before any scenario is loaded, so that a
 * misspelt key stops the batch at once; returns the parameter (NULL for a
 * table edit, checked against the tables when a variant loads, or when the
 * name is unknown: *bad is set then). */
static const psc_param_info_t *check_name(pctx_t *c, const char *line, const char *key, int *bad) {
  *bad = 0;
  if (psc__is_table_edit(key))
    return NULL;
  const char *dot = strchr(key, '.');
  char section[64], hint[160] = "";
  const psc_param_info_t *info = NULL;
  size_t sl = dot ? (size_t)(dot - key) : 0;
  if (dot && sl < sizeof section) {
    memcpy(section, key, sl);
    section[sl] = '\0';
    info = psc_param_find(section, dot + 1);
    if (!info)
      psc__param_suggest(section, dot + 1, hint, sizeof hint);
  }
  if (!info) {
    *bad = 1;
    err(c, line, key,
        "unknown change '%s'%s; expected SECTION.KEY (poolscreen params) or labs.ID.FIELD, "
        "sites.ID.FIELD, streets.NAME.FIELD",
        key, hint);
  }
  return info;
}

/* A parameter's value, parsed through the parameter table. */
static void check_value(pctx_t *c, const char *line, const psc_param_info_t *info,
                        const char *value) {
  char msg[512];
  if (!info)
    return;
  int rc = psc_params_set(&c->scratch, info, value, msg, sizeof msg);
  if (rc == PSC_ENOMEM)
    c->rc = rc;
  else if (rc)
    err(c, line, value, "%s%s", msg, "");
}

static void batch_key(pctx_t *c, char *line, char *key, char *value) {
  psc_batch_t *b = c->b;
  if (!strcmp(key, "scenario")) {
    if (c->seen_scenario) {
      err(c, line, key, "duplicate key '%s' in [batch]%s", key, "");
      return;
    }
    c->seen_scenario = 1;
    if (!strcmp(value, "default"))
      return;
    if (!*value) {
      err(c, line, value, "scenario: empty path (use 'default' for the embedded one)%s%s", "", "");
      return;
    }
    b->scenario = value[0] == '/' ? psc__strdup(value) : psc__path_join_dir(b->path, value);
    if (!b->scenario)
      c->rc = PSC_ENOMEM;
    else if (access(b->scenario, R_OK) != 0)
      err(c, line, value, "cannot read scenario '%s'%s", b->scenario, "");
  } else if (!strcmp(key, "baseline")) {
    if (c->seen_baseline) {
      err(c, line, key, "duplicate key '%s' in [batch]%s", key, "");
      return;
    }
    c->seen_baseline = 1;
    if (!strcasecmp(value, "true") || !strcasecmp(value, "yes"))
      b->baseline = 1;
    else if (!strcasecmp(value, "false") || !strcasecmp(value, "no"))
      b->baseline = 0;
    else
      err(c, line, value, "baseline '%s' is not true or false%s", value, "");
  } else {
    static const char *const keys[] = {"scenario", "baseline"};
    const char *hit = psc__closest(key, keys, 2);
    char hint[64] = "";
    if (hit)
      snprintf(hint, sizeof hint, " (did you mean '%s'?)", hit);
    err(c, line, key, "unknown key '%s' in [batch]%s; keys: scenario, baseline", key, hint);
  }
}

static int has_name(const psc__bgroup_t *g, const char *key) {
  for (uint32_t i = 0; i < g->n; i++)
    if (!strcmp(g->set[i].name, key))
      return 1;
  return 0;
}

static void change_key(pctx_t *c, char *line, char *key, char *value) {
  if (has_name(c->group, key)) {
    err(c, line, key, "'%s' is changed twice in this section%s", key, "");
    return;
  }
  int bad;
  check_value(c, line, check_name(c, line, key, &bad), value);
  psc_override_t o = {key, value, c->b->path, c->line, col_of(line, value)};
  if (group_add(c->group, o))
    c->rc = PSC_ENOMEM;
}

static void grid_key(pctx_t *c, char *line, char *key, char *value) {
  psc_batch_t *b = c->b;
  for (uint32_t a = 0; a < b->naxes; a++)
    if (!strcmp(b->axes[a].name, key)) {
      err(c, line, key, "grid key '%s' given twice%s", key, "");
      return;
    }
  psc__bgroup_t *axes = realloc(b->axes, (b->naxes + 1) * sizeof(*axes));
  if (!axes) {
    c->rc = PSC_ENOMEM;
    return;
  }
  b->axes = axes;
  psc__bgroup_t *g = &b->axes[b->naxes++];
  memset(g, 0, sizeof *g);
  g->name = key;
  int bad;
  const psc_param_info_t *info = check_name(c, line, key, &bad);
  /* values separated by commas; each keeps its own column */
  for (char *v = value, *next; v; v = next) {
    next = strchr(v, ',');
    if (next)
      *next++ = '\0';
    char *t = trim(v);
    if (!*t) {
      err(c, line, v, "empty value in the grid of '%s'%s", key, "");
      continue;
    }
    for (uint32_t i = 0; i < g->n; i++)
      if (!strcmp(g->set[i].value, t))
        err(c, line, t, "value '%s' listed twice for '%s'", t, key);
    check_value(c, line, info, t);
    psc_override_t o = {key, t, b->path, c->line, col_of(line, t)};
    if (group_add(g, o))
      c->rc = PSC_ENOMEM;
  }
}

static void section(pctx_t *c, char *line, char *s) {
  char *close = strchr(s, ']');
  if (!close) {
    err(c, line, s, "section header without ']'%s%s", "", "");
    c->sec = SEC_NONE;
    return;
  }
  *close = '\0';
  char *name = trim(s + 1);
  c->group = NULL;
  if (!strncmp(name, "variant", 7) && (!name[7] || is_blank(name[7]))) {
    char *vn = trim(name + 7);
    size_t n = strlen(vn);
    if (n >= 2 && vn[0] == '"' && vn[n - 1] == '"') {
      vn[n - 1] = '\0';
      vn++;
    }
    c->sec = SEC_VARIANT;
    if (!*vn) {
      err(c, line, name, "[variant NAME] needs a name%s%s", "", "");
      c->sec = SEC_NONE;
      return;
    }
    psc_batch_t *b = c->b;
    for (uint32_t i = 0; i < b->ncases; i++)
      if (!strcmp(b->cases[i].name, vn)) {
        err(c, line, vn, "variant '%s' defined twice%s", vn, "");
        c->sec = SEC_NONE;
        return;
      }
    psc__bgroup_t *cases = realloc(b->cases, (b->ncases + 1) * sizeof(*cases));
    if (!cases) {
      c->rc = PSC_ENOMEM;
      return;
    }
    b->cases = cases;
    c->group = &b->cases[b->ncases++];
    memset(c->group, 0, sizeof *c->group);
    c->group->name = vn;
  } else if (!strcmp(name, "batch")) {
    c->sec = SEC_BATCH;
  } else if (!strcmp(name, "base")) {
    c->sec = SEC_BASE;
    c->group = &c->b->base;
  } else if (!strcmp(name, "grid")) {
    c->sec = SEC_GRID;
  } else {
    static const char *const secs[] = {"batch", "base", "grid", "variant"};
    const char *hit = psc__closest(name, secs, 4);
    char hint[64] = "";
    if (hit)
      snprintf(hint, sizeof hint, " (did you mean [%s]?)", hit);
    err(c, line, name, "unknown section [%s]%s; sections: [batch], [base], [grid], [variant NAME]",
        name, hint);
    c->sec = SEC_NONE;
  }
}

/* One line, copied into the batch (changes point into the copy). */
static void parse_line(pctx_t *c, char *line) {
  char *s = line;
  while (is_blank(*s))
    s++;
  if (!*s || *s == ';' || *s == '#')
    return;
  if (*s == '[') {
    section(c, line, s);
    return;
  }
  char *eq = strchr(s, '=');
  if (!eq) {
    err(c, line, s, "expected 'name = value' or '[section]'%s%s", "", "");
    return;
  }
  *eq = '\0';
  char *key = trim(s), *value = eq + 1;
  /* a comment after the value: ';' or '#' after a blank */
  for (char *p = value; *p; p++)
    if ((*p == ';' || *p == '#') && p > value && is_blank(p[-1])) {
      *p = '\0';
      break;
    }
  value = trim(value);
  if (!*key) {
    err(c, line, s, "a line with no name before '='%s%s", "", "");
    return;
  }
  switch (c->sec) {
  case SEC_NONE:
    err(c, line, key, "'%s' outside a section (start with [batch])%s", key, "");
    break;
  case SEC_BATCH:
    batch_key(c, line, key, value);
    break;
  case SEC_BASE:
  case SEC_VARIANT:
    change_key(c, line, key, value);
    break;
  case SEC_GRID:
    grid_key(c, line, key, value);
    break;
  }
}

int psc__batch_parse(psc_batch_t *b, FILE *fp, psc_diags_t *d) {
  pctx_t c = {.b = b, .d = d};
  size_t before = psc_diags_errors(d);
  if (psc_params_defaults(&c.scratch))
    return PSC_ENOMEM;
  char buf[LINE_MAX_BYTES];
  uint32_t cap = 0;
  while (!c.rc && fgets(buf, sizeof buf, fp)) {
    c.line++;
    size_t n = strlen(buf);
    if (n && buf[n - 1] != '\n' && !feof(fp)) {
      err(&c, NULL, NULL, "line longer than %s bytes%s", "8190", "");
      int ch;
      while ((ch = fgetc(fp)) != EOF && ch != '\n')
        ;
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
      buf[--n] = '\0';
    const char *text = c.line == 1 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? buf + 3 : buf;
    if (b->nlines == cap) {
      cap = cap ? 2 * cap : 64;
      char **lines = realloc(b->lines, cap * sizeof(char *));
      if (!lines) {
        c.rc = PSC_ENOMEM;
        break;
      }
      b->lines = lines;
    }
    if (!(b->lines[b->nlines] = psc__strdup(text))) {
      c.rc = PSC_ENOMEM;
      break;
    }
    parse_line(&c, b->lines[b->nlines++]);
  }
  psc_params_clear(&c.scratch);
  if (c.rc)
    return c.rc;
  if (ferror(fp))
    err(&c, NULL, NULL, "read error%s%s", "", "");
  if (!c.seen_scenario)
    err(&c, NULL, NULL, "missing [batch] scenario = default or a path to a scenario.ini%s%s", "",
        "");
  if (!c.seen_baseline)
    b->baseline = b->ncases > 0; /* a grid alone usually contains the base values */
  uint64_t points = 1;
  for (uint32_t a = 0; a < b->naxes && points <= MAX_VARIANTS; a++)
    points *= b->axes[a].n ? b->axes[a].n : 1;
  uint64_t total = (uint64_t)(b->ncases ? b->ncases : 1) * points + (uint64_t)b->baseline;
  if (total > MAX_VARIANTS)
    psc__error(d, b->path, 1, 1, "the batch has %llu variants; at most %u",
               (unsigned long long)total, MAX_VARIANTS);
  if (!b->ncases && !b->naxes && !b->baseline)
    psc__error(d, b->path, c.line ? c.line : 1, 1,
               "no variants: add a [grid] or [variant NAME] section");
  return psc_diags_errors(d) > before ? PSC_EINPUT : 0;
}

/* Appends text to a growing string. */
static int append(char **s, size_t *len, const char *a, const char *b, const char *c) {
  size_t add = strlen(a) + strlen(b) + strlen(c);
  char *t = realloc(*s, *len + add + 1);
  if (!t)
    return PSC_ENOMEM;
  snprintf(t + *len, add + 1, "%s%s%s", a, b, c);
  *s = t;
  *len += add;
  return 0;
}

uint32_t psc__batch_changes(const psc_batch_t *b, uint32_t v, psc_override_t *out, uint32_t max) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < b->base.n && n < max; i++)
    out[n++] = b->base.set[i];
  if (b->v_case[v] == PSC__NONE && b->v_point[v] == UINT64_MAX)
    return n; /* the baseline */
  if (b->v_case[v] != PSC__NONE) {
    const psc__bgroup_t *g = &b->cases[b->v_case[v]];
    for (uint32_t i = 0; i < g->n && n < max; i++)
      out[n++] = g->set[i];
  }
  /* first axis slowest: the point's digits from the last axis up */
  uint64_t p = b->v_point[v];
  uint32_t digit[64];
  for (uint32_t a = b->naxes; a-- > 0;) {
    digit[a] = (uint32_t)(p % b->axes[a].n);
    p /= b->axes[a].n;
  }
  for (uint32_t a = 0; a < b->naxes && n < max; a++)
    out[n++] = b->axes[a].set[digit[a]];
  return n;
}

int psc__batch_enumerate(psc_batch_t *b) {
  uint64_t points = 1;
  for (uint32_t a = 0; a < b->naxes; a++)
    points *= b->axes[a].n;
  uint32_t ncases = b->ncases ? b->ncases : 1;
  b->nvariants = (uint32_t)(ncases * points) + (uint32_t)b->baseline;
  b->v_case = psc__calloc(b->nvariants, sizeof(uint32_t));
  b->v_point = psc__calloc(b->nvariants, sizeof(uint64_t));
  b->v_name = psc__calloc(b->nvariants, sizeof(char *));
  b->v_changes = psc__calloc(b->nvariants, sizeof(char *));
  if (!b->v_case || !b->v_point || !b->v_name || !b->v_changes)
    return PSC_ENOMEM;
  uint32_t v = 0;
  if (b->baseline) {
    b->v_case[0] = PSC__NONE;
    b->v_point[0] = UINT64_MAX;
    v = 1;
  }
  for (uint32_t k = 0; k < ncases; k++)
    for (uint64_t p = 0; p < points; p++, v++) {
      b->v_case[v] = b->ncases ? k : PSC__NONE;
      b->v_point[v] = p;
    }
  uint32_t maxn = b->base.n + b->naxes;
  for (uint32_t k = 0, most = 0; k < b->ncases; k++)
    if (b->cases[k].n > most) {
      maxn += b->cases[k].n - most;
      most = b->cases[k].n;
    }
  psc_override_t *set = psc__calloc(maxn, sizeof(*set));
  if (!set)
    return PSC_ENOMEM;
  for (v = 0; v < b->nvariants; v++) {
    uint32_t n = psc__batch_changes(b, v, set, maxn);
    size_t nl = 0, cl = 0;
    char *name = NULL, *changes = psc__strdup("");
    int rc = changes ? 0 : PSC_ENOMEM;
    for (uint32_t i = b->base.n; !rc && i < n; i++)
      rc = append(&changes, &cl, i > b->base.n ? "; " : "", set[i].name, "=") ||
           append(&changes, &cl, set[i].value, "", "");
    if (!rc && b->v_case[v] == PSC__NONE && b->v_point[v] == UINT64_MAX) {
      rc = append(&name, &nl, "baseline", "", "");
    } else if (!rc) {
      if (b->v_case[v] != PSC__NONE)
        rc = append(&name, &nl, b->cases[b->v_case[v]].name, b->naxes ? " | " : "", "");
      /* the grid's values name the point */
      uint32_t first = n - b->naxes;
      for (uint32_t i = first; !rc && i < n; i++)
        rc = append(&name, &nl, i > first ? ", " : "", set[i].name, "=") ||
             append(&name, &nl, set[i].value, "", "");
      if (!rc && !name)
        rc = append(&name, &nl, "", "", "");
    }
    b->v_name[v] = name;
    b->v_changes[v] = changes;
    if (rc) {
      free(set);
      return rc;
    }
  }
  free(set);
  return 0;
}
