/* communities.csv, sites.csv, labs.csv and travel.csv: every field checked,
 * every problem reported at its line and column. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- field helpers ------------------------------------------------------ */

typedef struct {
  const char *file;
  psc_diags_t *d;
} fctx_t;

static int get_u32(const fctx_t *c, const psc__csv_field_t *f, const char *col, uint64_t min,
                   uint64_t max, uint32_t *out) {
  uint64_t v = 0;
  psc__num_status_t st = psc__parse_u64(f->text, max, &v);
  if (st == PSC__NUM_OK && v < min)
    st = PSC__NUM_RANGE;
  if (st != PSC__NUM_OK) {
    psc__error(c->d, c->file, f->line, f->col, "%s '%s' %s (expected a whole number from %llu to %llu)",
               col, f->text, psc__num_status_text(st), (unsigned long long)min,
               (unsigned long long)max);
    return -1;
  }
  *out = (uint32_t)v;
  return 0;
}

static int get_double(const fctx_t *c, const psc__csv_field_t *f, const char *col, double min,
                      double max, double *out) {
  psc__num_status_t st = psc__parse_double(f->text, min, max, out);
  if (st != PSC__NUM_OK) {
    psc__error(c->d, c->file, f->line, f->col, "%s '%s' %s (expected a number from %g to %g)", col,
               f->text, psc__num_status_text(st), min, max);
    return -1;
  }
  return 0;
}

static int get_clock(const fctx_t *c, const psc__csv_field_t *f, const char *col, int allow_24,
                     int32_t *out) {
  int m;
  if (psc__parse_clock(f->text, allow_24, &m)) {
    psc__error(c->d, c->file, f->line, f->col,
               "%s '%s' is not a time of day (expected HH:MM from 00:00 to %s)", col, f->text,
               allow_24 ? "24:00" : "23:59");
    return -1;
  }
  *out = m;
  return 0;
}

static int get_hours(const fctx_t *c, const psc__csv_field_t *open, const psc__csv_field_t *close,
                     int32_t *o, int32_t *cl) {
  int bad = get_clock(c, open, "open", 0, o);
  bad |= get_clock(c, close, "close", 1, cl);
  if (!bad && *o == *cl) {
    psc__error(c->d, c->file, close->line, close->col,
               "opening hours %s-%s are empty (use 00:00-24:00 for round the clock)", open->text,
               close->text);
    return -1;
  }
  return bad ? -1 : 0;
}

/* Trimmed, non-empty text: 0, 1 when empty (reported), or PSC_ENOMEM. */
static int get_text(const fctx_t *c, const psc__csv_field_t *f, const char *col, char **out) {
  const char *s = f->text;
  size_t n = f->len;
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (!n) {
    psc__error(c->d, c->file, f->line, f->col, "%s is empty", col);
    *out = NULL;
    return 1;
  }
  if (!strcmp(col, "id") && psc__excel_mangled(s, n)) {
    psc__error(c->d, c->file, f->line, f->col, PSC__EXCEL_MANGLED_FMT, col, f->text);
    *out = NULL;
    return 1;
  }
  *out = psc__strndup(s, n);
  return *out ? 0 : PSC_ENOMEM;
}

/* Array of strings as a key source for psc__strmap_t. */
static const char *key_of_strv(const void *ctx, uint32_t v, size_t *len) {
  char *const *const *arr = ctx;
  const char *s = (*arr)[v];
  *len = strlen(s);
  return s;
}

/* Grows every array registered in a table's list to hold n+1 items. */
typedef struct {
  void **ptr;
  size_t size;
} grow_t;

static int grow_all(grow_t *g, size_t k, uint32_t *cap, uint32_t n) {
  if (n < *cap)
    return 0;
  uint32_t nc = *cap ? *cap * 2 : 64;
  for (size_t i = 0; i < k; i++) {
    void *p = realloc(*g[i].ptr, (size_t)nc * g[i].size);
    if (!p)
      return PSC_ENOMEM;
    *g[i].ptr = p;
  }
  *cap = nc;
  return 0;
}

/* Registers an id; reports a duplicate at the id field and returns 1. */
static int add_id(const fctx_t *c, psc__strmap_t *m, const psc__csv_field_t *f, const char *what,
                  const char *id, uint32_t index, const uint32_t *lines) {
  int err;
  uint32_t prev = psc__strmap_put(m, id, strlen(id), index, &err);
  if (err)
    return err;
  if (prev != PSC__NONE) {
    psc__error(c->d, c->file, f->line, f->col, "duplicate %s id '%s' (first at line %u)", what, id,
               lines[prev]);
    return 1;
  }
  return 0;
}

/* ---- communities.csv ----------------------------------------------------- */

enum { C_ID, C_STREET, C_NAME, C_POP, C_HH, C_KEY, C_D2D, C_HR, C_X, C_Y, C_NCOLS };
static const psc__csv_col_t COMM_COLS[] = {
    {"id", 1},           {"street", 1},    {"name", 0},      {"population", 1}, {"households", 1},
    {"key", 0},          {"door_to_door", 0}, {"high_risk", 0}, {"x_km", 1},      {"y_km", 1}};

typedef struct {
  psc_scenario_t *s;
  fctx_t c;
  uint32_t cap, street_cap;
  psc__strmap_t ids, streets;
  int rc;
} comm_ctx_t;

#define MAX_COORD_KM 1e5

static int comm_row(void *ud, const psc__csv_row_t *row) {
  comm_ctx_t *x = ud;
  psc_communities_t *cm = &x->s->comm;
  const psc__csv_field_t *f = row->field;
  grow_t g[] = {{(void **)&cm->id, sizeof(char *)},      {(void **)&cm->name, sizeof(char *)},
                {(void **)&cm->street, 4},               {(void **)&cm->population, 4},
                {(void **)&cm->households, 4},           {(void **)&cm->door_to_door, 4},
                {(void **)&cm->high_risk, 4},            {(void **)&cm->key, 1},
                {(void **)&cm->x_km, 8},                 {(void **)&cm->y_km, 8},
                {(void **)&cm->line, 4},                 {(void **)&x->s->comm_cols, 20}};
  if (grow_all(g, sizeof(g) / sizeof(g[0]), &x->cap, cm->count))
    return PSC_ENOMEM;
  uint32_t i = cm->count;
  char *id = NULL, *street = NULL, *name = NULL;
  uint32_t pop = 0, hh = 0, key = 0, d2d = 0, hr = 0;
  double xk = 0, yk = 0;
  /* every problem goes to the diagnostics list; a row with errors is still
   * kept, for the cross-checks that follow */
  if (get_text(&x->c, &f[C_ID], "id", &id) == PSC_ENOMEM ||
      get_text(&x->c, &f[C_STREET], "street", &street) == PSC_ENOMEM ||
      (f[C_NAME].text && f[C_NAME].len &&
       get_text(&x->c, &f[C_NAME], "name", &name) == PSC_ENOMEM)) {
    free(id);
    free(street);
    return PSC_ENOMEM;
  }
  int bad_pop = get_u32(&x->c, &f[C_POP], "population", 0, 50000000, &pop);
  int bad_hh = get_u32(&x->c, &f[C_HH], "households", 0, 50000000, &hh);
  if (f[C_KEY].text)
    get_u32(&x->c, &f[C_KEY], "key", 0, 1, &key);
  int bad_d = f[C_D2D].text ? get_u32(&x->c, &f[C_D2D], "door_to_door", 0, 50000000, &d2d) : 0;
  int bad_h = f[C_HR].text ? get_u32(&x->c, &f[C_HR], "high_risk", 0, 50000000, &hr) : 0;
  get_double(&x->c, &f[C_X], "x_km", -MAX_COORD_KM, MAX_COORD_KM, &xk);
  get_double(&x->c, &f[C_Y], "y_km", -MAX_COORD_KM, MAX_COORD_KM, &yk);
  if (!bad_pop && !bad_hh) {
    uint32_t lo = (pop + 19) / 20;
    if (hh < lo || hh > pop) {
      psc__error(x->c.d, x->c.file, f[C_HH].line, f[C_HH].col,
                 "households %u outside its bounds for population %u (from ceil(population/20) "
                 "= %u to population = %u)",
                 hh, pop, lo, pop);
    }
  }
  if (!bad_pop && !bad_d && !bad_h && (uint64_t)d2d + hr > pop) {
    const psc__csv_field_t *at = f[C_D2D].text ? &f[C_D2D] : &f[C_HR];
    psc__error(x->c.d, x->c.file, at->line, at->col,
               "door_to_door + high_risk = %llu exceeds population %u",
               (unsigned long long)d2d + hr, pop);
  }
  cm->line[i] = row->line;
  x->s->comm_cols[5 * i + 4] = f[C_STREET].col;
  x->s->comm_cols[5 * i + 0] = f[C_POP].col;
  x->s->comm_cols[5 * i + 1] = f[C_HH].col;
  x->s->comm_cols[5 * i + 2] = f[C_D2D].text ? f[C_D2D].col : 1;
  x->s->comm_cols[5 * i + 3] = f[C_HR].text ? f[C_HR].col : 1;
  int rc;
  if (id && (rc = add_id(&x->c, &x->ids, &f[C_ID], "community", id, i, cm->line)) != 0) {
    free(id);
    free(street);
    free(name);
    return rc == PSC_ENOMEM ? rc : 0;
  }
  if (!id) {
    free(street);
    free(name);
    return 0;
  }
  /* streets in order of first appearance */
  uint32_t st = PSC__NONE;
  if (street) {
    psc_streets_t *sv = &x->s->streets;
    st = psc__strmap_get(&x->streets, street, strlen(street));
    if (st == PSC__NONE) {
      grow_t gs[] = {{(void **)&sv->name, sizeof(char *)}};
      if (grow_all(gs, 1, &x->street_cap, sv->count))
        return PSC_ENOMEM;
      st = sv->count;
      sv->name[st] = psc__strdup(street);
      if (!sv->name[st])
        return PSC_ENOMEM;
      sv->count++;
      int err;
      psc__strmap_put(&x->streets, street, strlen(street), st, &err);
      if (err)
        return err;
    }
  }
  free(street);
  cm->id[i] = id;
  cm->name[i] = name ? name : psc__strdup(id);
  if (!cm->name[i])
    return PSC_ENOMEM;
  cm->street[i] = st;
  cm->population[i] = pop;
  cm->households[i] = hh;
  cm->key[i] = (uint8_t)key;
  cm->door_to_door[i] = d2d;
  cm->high_risk[i] = hr;
  cm->x_km[i] = xk;
  cm->y_km[i] = yk;
  cm->count++;
  return 0;
}

int psc__load_communities(psc_scenario_t *s, FILE *fp, psc_diags_t *d) {
  comm_ctx_t x = {.s = s, .c = {s->file_communities, d}};
  if (psc__strmap_init(&x.ids, 256, key_of_strv, &s->comm.id) ||
      psc__strmap_init(&x.streets, 64, key_of_strv, &s->streets.name)) {
    psc__strmap_free(&x.ids);
    return PSC_ENOMEM;
  }
  size_t before = psc_diags_errors(d);
  uint32_t rows = 0;
  int rc = psc__csv_read(fp, s->file_communities, COMM_COLS, C_NCOLS, comm_row, &x, d, &rows);
  psc__strmap_free(&x.ids);
  psc__strmap_free(&x.streets);
  if (rc)
    return rc;
  if (rows == 0)
    psc__error(d, s->file_communities, 2, 1, "no community defined");
  uint64_t total = 0;
  for (uint32_t i = 0; i < s->comm.count; i++)
    total += s->comm.population[i];
  if (total > UINT32_MAX - 1u)
    psc__error(d, s->file_communities, 1, 1, "total population %llu exceeds %u",
               (unsigned long long)total, UINT32_MAX - 1u);
  return psc_diags_errors(d) > before ? PSC_EINPUT : 0;
}

/* ---- sites.csv ------------------------------------------------------------ */

enum { S_ID, S_STREET, S_KIND, S_BOOTHS, S_RATE, S_OPEN, S_CLOSE, S_X, S_Y, S_NCOLS };
static const psc__csv_col_t SITE_COLS[] = {{"id", 1},    {"street", 1}, {"kind", 1},
                                           {"booths", 1}, {"swabs_per_booth_hour", 1},
                                           {"open", 1},  {"close", 1}, {"x_km", 1},
                                           {"y_km", 1}};

typedef struct {
  psc_scenario_t *s;
  fctx_t c;
  uint32_t cap;
  psc__strmap_t ids, streets;
  uint32_t *lines;
} site_ctx_t;

static int site_row(void *ud, const psc__csv_row_t *row) {
  site_ctx_t *x = ud;
  psc_sites_t *sv = &x->s->sites;
  const psc__csv_field_t *f = row->field;
  grow_t g[] = {{(void **)&sv->id, sizeof(char *)}, {(void **)&sv->street, 4},
                {(void **)&sv->kind, 1},            {(void **)&sv->booths, 4},
                {(void **)&sv->rate, 8},            {(void **)&sv->open_min, 4},
                {(void **)&sv->close_min, 4},       {(void **)&sv->x_km, 8},
                {(void **)&sv->y_km, 8},            {(void **)&x->lines, 4}};
  if (grow_all(g, sizeof(g) / sizeof(g[0]), &x->cap, sv->count))
    return PSC_ENOMEM;
  uint32_t i = sv->count;
  char *id = NULL, *street = NULL;
  int rc = get_text(&x->c, &f[S_ID], "id", &id);
  if (rc == PSC_ENOMEM)
    return rc;
  if ((rc = get_text(&x->c, &f[S_STREET], "street", &street)) == PSC_ENOMEM) {
    free(id);
    return rc;
  }
  uint32_t st = PSC__NONE;
  if (street) {
    st = psc__strmap_get(&x->streets, street, strlen(street));
    if (st == PSC__NONE && x->s->comm.count)
      psc__error(x->c.d, x->c.file, f[S_STREET].line, f[S_STREET].col,
                 "unknown street '%s' (no community in %s names it)", street,
                 x->s->file_communities);
  }
  free(street);
  int kind = -1;
  for (int k = 0; k < PSC_SITE_KINDS; k++)
    if (!strcmp(f[S_KIND].text, psc_site_kind_name(k)))
      kind = k;
  if (kind < 0)
    psc__error(x->c.d, x->c.file, f[S_KIND].line, f[S_KIND].col,
               "kind '%s' is not one of fixed, community, temporary, door_to_door", f[S_KIND].text);
  uint32_t booths = 0;
  double rate = 0, xk = 0, yk = 0;
  int32_t o = 0, cl = 0;
  get_u32(&x->c, &f[S_BOOTHS], "booths", 1, 100000, &booths);
  get_double(&x->c, &f[S_RATE], "swabs_per_booth_hour", 0.001, 100000, &rate);
  get_hours(&x->c, &f[S_OPEN], &f[S_CLOSE], &o, &cl);
  get_double(&x->c, &f[S_X], "x_km", -MAX_COORD_KM, MAX_COORD_KM, &xk);
  get_double(&x->c, &f[S_Y], "y_km", -MAX_COORD_KM, MAX_COORD_KM, &yk);
  x->lines[i] = row->line;
  if (!id)
    return 0;
  if ((rc = add_id(&x->c, &x->ids, &f[S_ID], "site", id, i, x->lines)) != 0) {
    free(id);
    return rc == PSC_ENOMEM ? rc : 0;
  }
  sv->id[i] = id;
  sv->street[i] = st;
  sv->kind[i] = (uint8_t)(kind < 0 ? 0 : kind);
  sv->booths[i] = booths;
  sv->rate[i] = rate;
  sv->open_min[i] = o;
  sv->close_min[i] = cl;
  sv->x_km[i] = xk;
  sv->y_km[i] = yk;
  sv->count++;
  return 0;
}

int psc__load_sites(psc_scenario_t *s, FILE *fp, psc_diags_t *d) {
  site_ctx_t x = {.s = s, .c = {s->file_sites, d}};
  if (psc__strmap_init(&x.ids, 256, key_of_strv, &s->sites.id) ||
      psc__strmap_init(&x.streets, 64, key_of_strv, &s->streets.name)) {
    psc__strmap_free(&x.ids);
    return PSC_ENOMEM;
  }
  for (uint32_t i = 0; i < s->streets.count; i++) {
    int err;
    psc__strmap_put(&x.streets, s->streets.name[i], strlen(s->streets.name[i]), i, &err);
    if (err) {
      psc__strmap_free(&x.ids);
      psc__strmap_free(&x.streets);
      return err;
    }
  }
  size_t before = psc_diags_errors(d);
  uint32_t rows = 0;
  int rc = psc__csv_read(fp, s->file_sites, SITE_COLS, S_NCOLS, site_row, &x, d, &rows);
  psc__strmap_free(&x.ids);
  psc__strmap_free(&x.streets);
  free(x.lines);
  if (rc)
    return rc;
  return psc_diags_errors(d) > before ? PSC_EINPUT : 0;
}

/* ---- labs.csv -------------------------------------------------------------- */

enum { L_ID, L_NAME, L_INSTR, L_WELLS, L_RUN, L_OPEN, L_CLOSE, L_X, L_Y, L_NCOLS };
static const psc__csv_col_t LAB_COLS[] = {{"id", 1},          {"name", 0},
                                          {"instruments", 1}, {"wells_per_run", 1},
                                          {"run_minutes", 1}, {"open", 1},
                                          {"close", 1},       {"x_km", 1},
                                          {"y_km", 1}};

typedef struct {
  psc_scenario_t *s;
  fctx_t c;
  uint32_t cap;
  psc__strmap_t ids;
  uint32_t *lines;
} lab_ctx_t;

static int lab_row(void *ud, const psc__csv_row_t *row) {
  lab_ctx_t *x = ud;
  psc_labs_t *lv = &x->s->labs;
  const psc__csv_field_t *f = row->field;
  grow_t g[] = {{(void **)&lv->id, sizeof(char *)}, {(void **)&lv->name, sizeof(char *)},
                {(void **)&lv->instruments, 4},     {(void **)&lv->wells, 4},
                {(void **)&lv->run_minutes, 4},     {(void **)&lv->open_min, 4},
                {(void **)&lv->close_min, 4},       {(void **)&lv->x_km, 8},
                {(void **)&lv->y_km, 8},            {(void **)&x->lines, 4}};
  if (grow_all(g, sizeof(g) / sizeof(g[0]), &x->cap, lv->count))
    return PSC_ENOMEM;
  uint32_t i = lv->count;
  char *id = NULL, *name = NULL;
  int rc = get_text(&x->c, &f[L_ID], "id", &id);
  if (rc == PSC_ENOMEM)
    return rc;
  if (f[L_NAME].text && f[L_NAME].len && get_text(&x->c, &f[L_NAME], "name", &name) == PSC_ENOMEM) {
    free(id);
    return PSC_ENOMEM;
  }
  uint32_t instr = 0, wells = 0, run = 0;
  double xk = 0, yk = 0;
  int32_t o = 0, cl = 0;
  get_u32(&x->c, &f[L_INSTR], "instruments", 1, 100000, &instr);
  get_u32(&x->c, &f[L_WELLS], "wells_per_run", 1, 100000, &wells);
  get_u32(&x->c, &f[L_RUN], "run_minutes", 1, 10080, &run);
  get_hours(&x->c, &f[L_OPEN], &f[L_CLOSE], &o, &cl);
  get_double(&x->c, &f[L_X], "x_km", -MAX_COORD_KM, MAX_COORD_KM, &xk);
  get_double(&x->c, &f[L_Y], "y_km", -MAX_COORD_KM, MAX_COORD_KM, &yk);
  x->lines[i] = row->line;
  if (!id) {
    free(name);
    return 0;
  }
  if ((rc = add_id(&x->c, &x->ids, &f[L_ID], "lab", id, i, x->lines)) != 0) {
    free(id);
    free(name);
    return rc == PSC_ENOMEM ? rc : 0;
  }
  lv->id[i] = id;
  lv->name[i] = name ? name : psc__strdup(id);
  if (!lv->name[i])
    return PSC_ENOMEM;
  lv->instruments[i] = instr;
  lv->wells[i] = wells;
  lv->run_minutes[i] = run;
  lv->open_min[i] = o;
  lv->close_min[i] = cl;
  lv->x_km[i] = xk;
  lv->y_km[i] = yk;
  lv->count++;
  return 0;
}

int psc__load_labs(psc_scenario_t *s, FILE *fp, psc_diags_t *d) {
  lab_ctx_t x = {.s = s, .c = {s->file_labs, d}};
  if (psc__strmap_init(&x.ids, 64, key_of_strv, &s->labs.id))
    return PSC_ENOMEM;
  size_t before = psc_diags_errors(d);
  uint32_t rows = 0;
  int rc = psc__csv_read(fp, s->file_labs, LAB_COLS, L_NCOLS, lab_row, &x, d, &rows);
  psc__strmap_free(&x.ids);
  free(x.lines);
  if (rc)
    return rc;
  if (rows == 0)
    psc__error(d, s->file_labs, 2, 1, "no lab defined: at least one lab is needed");
  return psc_diags_errors(d) > before ? PSC_EINPUT : 0;
}

/* ---- travel.csv -------------------------------------------------------------- */

enum { T_SITE, T_LAB, T_MIN, T_NCOLS };
static const psc__csv_col_t TRAVEL_COLS[] = {{"site", 1}, {"lab", 1}, {"minutes", 1}};

typedef struct {
  psc_scenario_t *s;
  fctx_t c;
  uint32_t cap;
  psc__strmap_t sites, labs;
} travel_ctx_t;

static uint32_t lookup(const travel_ctx_t *x, const psc__strmap_t *m, const psc__csv_field_t *f,
                       const char *what, const char *file) {
  uint32_t v = psc__strmap_get(m, f->text, f->len);
  if (v == PSC__NONE)
    psc__error(x->c.d, x->c.file, f->line, f->col, "unknown %s '%s' (not in %s)", what, f->text,
               file);
  return v;
}

static int travel_row(void *ud, const psc__csv_row_t *row) {
  travel_ctx_t *x = ud;
  psc_travel_t *tv = &x->s->travel;
  const psc__csv_field_t *f = row->field;
  grow_t g[] = {{(void **)&tv->site, 4}, {(void **)&tv->lab, 4}, {(void **)&tv->minutes, 8}};
  if (grow_all(g, 3, &x->cap, tv->count))
    return PSC_ENOMEM;
  uint32_t site = lookup(x, &x->sites, &f[T_SITE], "site", x->s->file_sites);
  uint32_t lab = lookup(x, &x->labs, &f[T_LAB], "lab", x->s->file_labs);
  double m = 0;
  int bad = get_double(&x->c, &f[T_MIN], "minutes", 0, 10080, &m);
  if (site == PSC__NONE || lab == PSC__NONE || bad)
    return 0;
  tv->site[tv->count] = site;
  tv->lab[tv->count] = lab;
  tv->minutes[tv->count] = m;
  tv->count++;
  return 0;
}

int psc__load_travel(psc_scenario_t *s, FILE *fp, psc_diags_t *d) {
  travel_ctx_t x = {.s = s, .c = {s->file_travel, d}};
  int rc = psc__strmap_init(&x.sites, s->sites.count, key_of_strv, &s->sites.id);
  if (!rc)
    rc = psc__strmap_init(&x.labs, s->labs.count, key_of_strv, &s->labs.id);
  for (uint32_t i = 0; !rc && i < s->sites.count; i++)
    psc__strmap_put(&x.sites, s->sites.id[i], strlen(s->sites.id[i]), i, &rc);
  for (uint32_t i = 0; !rc && i < s->labs.count; i++)
    psc__strmap_put(&x.labs, s->labs.id[i], strlen(s->labs.id[i]), i, &rc);
  size_t before = psc_diags_errors(d);
  if (!rc) {
    uint32_t rows;
    rc = psc__csv_read(fp, s->file_travel, TRAVEL_COLS, T_NCOLS, travel_row, &x, d, &rows);
  }
  psc__strmap_free(&x.sites);
  psc__strmap_free(&x.labs);
  if (rc)
    return rc;
  return psc_diags_errors(d) > before ? PSC_EINPUT : 0;
}
