/* Changes to a scenario as it is loaded (`--set`, batch variants): scenario
 * parameters through the parameter table, and the table edits users make
 * by hand today (booths, instruments, hours, dropping a lab). */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Edits return 0, 1 after reporting a problem, or PSC_ENOMEM. */
#define FAIL(...) (psc__error(__VA_ARGS__) ? PSC_ENOMEM : 1)

void psc__param_suggest(const char *section, const char *key, char *buf, size_t size) {
  size_t n = psc_param_count();
  const char **cands = calloc(n, sizeof(char *));
  const char *hit = NULL, *hit_section = section;
  buf[0] = '\0';
  if (!cands)
    return;
  /* a key of this section spelled wrongly */
  for (size_t i = 0; i < n; i++)
    cands[i] = !strcmp(psc_param_info(i)->section, section) ? psc_param_info(i)->key : NULL;
  hit = psc__closest(key, cands, n);
  /* the right key in the wrong (or misspelled) section */
  for (size_t i = 0; !hit && i < n; i++) {
    if (!strcmp(psc_param_info(i)->key, key)) {
      hit = key;
      hit_section = psc_param_info(i)->section;
    }
  }
  if (!hit) {
    for (size_t i = 0; i < n; i++)
      cands[i] = psc_param_info(i)->section;
    hit_section = psc__closest(section, cands, n);
    if (hit_section) {
      for (size_t i = 0; i < n; i++)
        cands[i] = !strcmp(psc_param_info(i)->section, hit_section) ? psc_param_info(i)->key : NULL;
      hit = psc__closest(key, cands, n);
    }
  }
  if (hit)
    snprintf(buf, size, " (did you mean '%s.%s'?)", hit_section, hit);
  else if (hit_section && strcmp(hit_section, section))
    snprintf(buf, size, " (did you mean [%s]?)", hit_section);
  free(cands);
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

int psc_override_parse(const char *text, char *buf, size_t size, const char *file, uint32_t line,
                       uint32_t column, psc_override_t *out) {
  if (!text || !buf || !out || strlen(text) + 1 > size)
    return PSC_EINVAL;
  memcpy(buf, text, strlen(text) + 1);
  char *eq = strchr(buf, '=');
  if (!eq)
    return PSC_EINPUT;
  *eq = '\0';
  char *name = buf, *value = eq + 1;
  while (is_blank(*name))
    name++;
  for (char *e = eq; e > name && is_blank(e[-1]); e--)
    e[-1] = '\0';
  while (is_blank(*value))
    value++;
  for (char *e = value + strlen(value); e > value && is_blank(e[-1]); e--)
    e[-1] = '\0';
  if (!*name)
    return PSC_EINPUT;
  *out = (psc_override_t){name, value, file, line, column};
  return 0;
}

int psc__is_table_edit(const char *name) {
  return !strncmp(name, "labs.", 5) || !strncmp(name, "sites.", 6) ||
         !strncmp(name, "streets.", 8);
}

static int report(psc_diags_t *d, const psc_override_t *o, const char *fmt, const char *a,
                  const char *b, const char *c) {
  return psc__error(d, o->file, o->line, o->column, fmt, a, b, c);
}

int psc__apply_param_overrides(psc_params_t *p, psc__ini_pos_t *pos, const psc_override_t *o,
                               size_t n, psc_diags_t *d) {
  for (size_t k = 0; k < n; k++) {
    if (psc__is_table_edit(o[k].name))
      continue;
    char section[64], hint[160], err[512];
    const char *dot = strchr(o[k].name, '.');
    size_t sl = dot ? (size_t)(dot - o[k].name) : 0;
    const psc_param_info_t *info = NULL;
    if (dot && sl < sizeof section) {
      memcpy(section, o[k].name, sl);
      section[sl] = '\0';
      info = psc_param_find(section, dot + 1);
    }
    if (!info) {
      if (dot && sl < sizeof section)
        psc__param_suggest(section, dot + 1, hint, sizeof hint);
      else
        hint[0] = '\0';
      if (report(d, &o[k],
                 "unknown parameter '%s'%s; expected SECTION.KEY (poolscreen params) or a "
                 "table edit labs.ID.FIELD, sites.ID.FIELD, streets.NAME.FIELD%s",
                 o[k].name, hint, ""))
        return PSC_ENOMEM;
      continue;
    }
    int rc = psc_params_set(p, info, o[k].value, err, sizeof err);
    if (rc == PSC_ENOMEM)
      return rc;
    if (rc) {
      if (report(d, &o[k], "%s%s%s", err, "", ""))
        return PSC_ENOMEM;
      continue;
    }
    pos[info - psc_param_info(0)] = (psc__ini_pos_t){o[k].line, o[k].column, o[k].file};
  }
  return 0;
}

/* ---- table edits -------------------------------------------------------- */

typedef enum { OP_SET, OP_ADD, OP_SCALE } op_t;

typedef struct {
  op_t op;
  double x;
} numedit_t;

/* "N", "+N", "-N", "xF" or "*F". */
static int parse_numedit(const char *v, numedit_t *e) {
  e->op = OP_SET;
  double sign = 1;
  if (*v == '+' || *v == '-') {
    e->op = OP_ADD;
    sign = *v == '-' ? -1 : 1;
    v++;
  } else if (*v == 'x' || *v == '*') {
    e->op = OP_SCALE;
    v++;
  }
  if (psc__parse_double(v, 0, 1e9, &e->x) != PSC__NUM_OK)
    return -1;
  e->x *= sign;
  return 0;
}

static double apply_num(const numedit_t *e, double old) {
  return e->op == OP_SET ? e->x : e->op == OP_ADD ? old + e->x : old * e->x;
}

/* A whole-number field: the result is rounded and must lie in [lo, hi]. */
static int edit_u32(psc_diags_t *d, const psc_override_t *o, const char *row, const numedit_t *e,
                    uint32_t *field, double lo, double hi) {
  double v = round(apply_num(e, *field));
  if (!(v >= lo && v <= hi)) {
    return FAIL(d, o->file, o->line, o->column,
                      "%s: %s of %s would be %.0f, outside %.0f..%.0f", o->name, o->value, row, v,
                      lo, hi);
  }
  *field = (uint32_t)v;
  return 0;
}

static int edit_double(psc_diags_t *d, const psc_override_t *o, const char *row,
                       const numedit_t *e, double *field, double lo, double hi) {
  double v = apply_num(e, *field);
  if (!(v >= lo && v <= hi))
    return FAIL(d, o->file, o->line, o->column, "%s: %s of %s would be %g, outside %g..%g",
                      o->name, o->value, row, v, lo, hi);
  *field = v;
  return 0;
}

/* Opening hours from "HH:MM" (open or close) or "HH:MM-HH:MM" (hours). */
static int parse_hours(const char *field, const char *v, int32_t *open, int32_t *close) {
  int a, b;
  if (!strcmp(field, "open"))
    return psc__parse_clock(v, 0, &a) ? -1 : (*open = a, 0);
  if (!strcmp(field, "close"))
    return psc__parse_clock(v, 1, &b) ? -1 : (*close = b, 0);
  const char *dash = strchr(v, '-');
  char first[16];
  if (!dash || (size_t)(dash - v) >= sizeof first)
    return -1;
  memcpy(first, v, (size_t)(dash - v));
  first[dash - v] = '\0';
  if (psc__parse_clock(first, 0, &a) || psc__parse_clock(dash + 1, 1, &b))
    return -1;
  *open = a;
  *close = b;
  return 0;
}

static int is_hours(const char *f) {
  return !strcmp(f, "open") || !strcmp(f, "close") || !strcmp(f, "hours");
}

static int set_hours(psc_diags_t *d, const psc_override_t *o, const char *field, const char *row,
                     int32_t *open, int32_t *close) {
  int32_t a = *open, b = *close;
  if (parse_hours(field, o->value, &a, &b))
    return FAIL(d, o->file, o->line, o->column,
                      "%s: '%s' is not %s", o->name, o->value,
                      !strcmp(field, "hours") ? "HH:MM-HH:MM" : "a time HH:MM");
  if (a == b || (a == 1440 && b == 0))
    return FAIL(d, o->file, o->line, o->column,
                      "%s: opening hours of %s would be empty (use 00:00-24:00 for round the "
                      "clock)",
                      o->name, row);
  *open = a;
  *close = b;
  return 0;
}

/* Removes lab l with its travel rows and outages, renumbering the rest. */
static void drop_lab(psc_scenario_t *s, uint32_t l) {
  psc_labs_t *v = &s->labs;
  free(v->id[l]);
  free(v->name[l]);
  uint32_t n = v->count - l - 1;
#define SHIFT(a) memmove(&(a)[l], &(a)[l + 1], n * sizeof((a)[0]))
  SHIFT(v->id);
  SHIFT(v->name);
  SHIFT(v->instruments);
  SHIFT(v->wells);
  SHIFT(v->run_minutes);
  SHIFT(v->open_min);
  SHIFT(v->close_min);
  SHIFT(v->x_km);
  SHIFT(v->y_km);
#undef SHIFT
  v->count--;
  uint32_t k = 0;
  for (uint32_t i = 0; i < s->travel.count; i++) {
    if (s->travel.lab[i] == l)
      continue;
    s->travel.site[k] = s->travel.site[i];
    s->travel.lab[k] = s->travel.lab[i] - (s->travel.lab[i] > l);
    s->travel.minutes[k++] = s->travel.minutes[i];
  }
  s->travel.count = k;
  k = 0;
  for (uint32_t i = 0; i < s->noutages; i++) {
    if (s->outage_lab[i] == l)
      continue;
    s->outage_lab[k] = s->outage_lab[i] - (s->outage_lab[i] > l);
    s->outage_start[k] = s->outage_start[i];
    s->outage_end[k++] = s->outage_end[i];
  }
  s->noutages = k;
}

/* Splits "table.ID.field" (the ID may hold dots). */
static int split_target(const char *name, const char **table, char *id, size_t idsize,
                        const char **field) {
  const char *dot = strchr(name, '.'), *last = strrchr(name, '.');
  if (!dot || last == dot || (size_t)(last - dot - 1) >= idsize || last == dot + 1 || !last[1])
    return -1;
  *table = name;
  memcpy(id, dot + 1, (size_t)(last - dot - 1));
  id[last - dot - 1] = '\0';
  *field = last + 1;
  return 0;
}

static int unknown_row(psc_diags_t *d, const psc_override_t *o, const char *what, const char *id,
                       char *const *ids, uint32_t n) {
  const char *hit = psc__closest(id, (const char *const *)ids, n);
  if (hit)
    return FAIL(d, o->file, o->line, o->column, "%s: no %s '%s' (did you mean '%s'?)",
                      o->name, what, id, hit);
  return FAIL(d, o->file, o->line, o->column, "%s: no %s '%s'", o->name, what, id);
}

static int unknown_field(psc_diags_t *d, const psc_override_t *o, const char *field,
                         const char *const *fields, size_t n) {
  const char *hit = psc__closest(field, fields, n);
  char list[256] = "";
  for (size_t i = 0; i < n; i++)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", fields[i]);
  if (hit)
    return FAIL(d, o->file, o->line, o->column,
                      "%s: unknown field '%s' (did you mean '%s'?); fields: %s", o->name, field,
                      hit, list);
  return FAIL(d, o->file, o->line, o->column, "%s: unknown field '%s'; fields: %s", o->name,
                    field, list);
}

static int edit_labs(psc_scenario_t *s, const psc_override_t *o, const char *id,
                     const char *field, psc_diags_t *d) {
  static const char *const fields[] = {"instruments", "wells_per_run", "run_minutes", "open",
                                       "close", "hours", "drop"};
  size_t nf = sizeof fields / sizeof fields[0], f = 0;
  while (f < nf && strcmp(field, fields[f]))
    f++;
  if (f == nf)
    return unknown_field(d, o, field, fields, nf);
  psc_labs_t *v = &s->labs;
  int all = !strcmp(id, "*");
  uint32_t hit = PSC__NONE;
  for (uint32_t l = 0; !all && l < v->count; l++)
    if (!strcmp(v->id[l], id))
      hit = l;
  if (!all && hit == PSC__NONE)
    return unknown_row(d, o, "lab", id, v->id, v->count);
  if (!strcmp(field, "drop")) {
    if (strcmp(o->value, "true") && strcmp(o->value, "yes"))
      return FAIL(d, o->file, o->line, o->column, "%s: expected 'true' to drop the lab",
                        o->name);
    if (all || v->count < 2)
      return FAIL(d, o->file, o->line, o->column,
                        "%s: a scenario needs at least one lab left", o->name);
    drop_lab(s, hit);
    return 0;
  }
  numedit_t e;
  if (!is_hours(field) && parse_numedit(o->value, &e))
    return FAIL(d, o->file, o->line, o->column,
                      "%s: '%s' is not N, +N, -N or xF (a number, added, subtracted or scaled)",
                      o->name, o->value);
  for (uint32_t l = 0; l < v->count; l++) {
    if (!all && l != hit)
      continue;
    int rc = f == 0   ? edit_u32(d, o, v->id[l], &e, &v->instruments[l], 1, 100000)
             : f == 1 ? edit_u32(d, o, v->id[l], &e, &v->wells[l], 1, 100000)
             : f == 2 ? edit_u32(d, o, v->id[l], &e, &v->run_minutes[l], 1, 10080)
                      : set_hours(d, o, field, v->id[l], &v->open_min[l], &v->close_min[l]);
    if (rc)
      return rc;
  }
  return 0;
}

/* Sites: one by id, every site ("*"), or a street's (street != NONE): the
 * walk-in sites, or with teams its door-to-door teams. */
static int edit_sites(psc_scenario_t *s, const psc_override_t *o, const char *id,
                      const char *field, int by_street, psc_diags_t *d) {
  static const char *const site_fields[] = {"booths", "swabs_per_booth_hour", "open", "close",
                                            "hours"};
  static const char *const street_fields[] = {"booths", "teams", "swabs_per_booth_hour", "open",
                                              "close", "hours"};
  const char *const *fields = by_street ? street_fields : site_fields;
  size_t nf = by_street ? 6 : 5, f = 0;
  while (f < nf && strcmp(field, fields[f]))
    f++;
  if (f == nf)
    return unknown_field(d, o, field, fields, nf);
  int teams = by_street && !strcmp(field, "teams");
  psc_sites_t *v = &s->sites;
  int all = !strcmp(id, "*");
  uint32_t hit = PSC__NONE;
  char *const *ids = by_street ? s->streets.name : v->id;
  uint32_t nids = by_street ? s->streets.count : v->count;
  for (uint32_t i = 0; !all && i < nids; i++)
    if (!strcmp(ids[i], id))
      hit = i;
  if (!all && hit == PSC__NONE)
    return unknown_row(d, o, by_street ? "street" : "site", id, ids, nids);
  numedit_t e;
  if (!is_hours(field) && parse_numedit(o->value, &e))
    return FAIL(d, o->file, o->line, o->column,
                      "%s: '%s' is not N, +N, -N or xF (a number, added, subtracted or scaled)",
                      o->name, o->value);
  uint32_t touched = 0;
  for (uint32_t i = 0; i < v->count; i++) {
    if (by_street) {
      int d2d = v->kind[i] == PSC_SITE_DOOR_TO_DOOR;
      if ((!all && v->street[i] != hit) || d2d != teams)
        continue;
    } else if (!all && i != hit) {
      continue;
    }
    touched++;
    int rc = !strcmp(field, "booths") || teams
                 ? edit_u32(d, o, v->id[i], &e, &v->booths[i], 1, 100000)
             : !strcmp(field, "swabs_per_booth_hour")
                 ? edit_double(d, o, v->id[i], &e, &v->rate[i], 0.001, 100000)
                 : set_hours(d, o, field, v->id[i], &v->open_min[i], &v->close_min[i]);
    if (rc)
      return rc;
  }
  if (!touched)
    return FAIL(d, o->file, o->line, o->column, "%s: street '%s' has no %s", o->name, id,
                      teams ? "door_to_door team" : "walk-in site");
  return 0;
}

int psc__apply_table_edits(psc_scenario_t *s, const psc_override_t *o, size_t n, psc_diags_t *d) {
  for (size_t k = 0; k < n; k++) {
    if (!psc__is_table_edit(o[k].name))
      continue;
    const char *table, *field;
    char id[256];
    int rc;
    if (split_target(o[k].name, &table, id, sizeof id, &field))
      rc = report(d, &o[k], "table edit '%s' is not TABLE.ID.FIELD%s%s", o[k].name, "", "")
               ? PSC_ENOMEM
               : 1;
    else if (!strncmp(table, "labs.", 5))
      rc = edit_labs(s, &o[k], id, field, d);
    else
      rc = edit_sites(s, &o[k], id, field, !strncmp(table, "streets.", 8), d);
    if (rc == PSC_ENOMEM)
      return rc;
  }
  return 0;
}
