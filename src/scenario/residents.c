/* residents.csv: a person-level roster, regrouped by community and household
 * with counting sorts, and reconciled with communities.csv. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

enum { R_ID, R_COMM, R_HH, R_D2D, R_HR, R_NCOLS };
static const psc__csv_col_t RES_COLS[] = {
    {"id", 1}, {"community", 1}, {"household", 1}, {"door_to_door", 0}, {"high_risk", 0}};

typedef struct {
  psc_scenario_t *s;
  psc_diags_t *d;
  const char *file;
  /* per resident, in file order */
  uint32_t n, cap;
  uint32_t *comm, *hh;
  uint64_t *id_off;
  uint8_t *flags;
  /* per household (temporary numbering, first appearance) */
  uint32_t nhh, hhcap;
  uint64_t *hh_off; /* key "<community as 8 hex>household" in the pool */
  uint32_t *hh_comm;
  /* string pool */
  char *pool;
  uint64_t plen, pcap;
  psc__strmap_t ids, hhs, comms;
  uint32_t *lines;
} res_ctx_t;

static const char *key_of_off(const void *ctx, uint32_t v, size_t *len, int hh) {
  const res_ctx_t *x = ctx;
  const char *s = x->pool + (hh ? x->hh_off[v] : x->id_off[v]);
  *len = strlen(s);
  return s;
}
static const char *key_of_id(const void *ctx, uint32_t v, size_t *len) {
  return key_of_off(ctx, v, len, 0);
}
static const char *key_of_hh(const void *ctx, uint32_t v, size_t *len) {
  return key_of_off(ctx, v, len, 1);
}
static const char *key_of_comm(const void *ctx, uint32_t v, size_t *len) {
  const psc_scenario_t *s = ctx;
  *len = strlen(s->comm.id[v]);
  return s->comm.id[v];
}

static int pool_add(res_ctx_t *x, const char *prefix, const char *s, size_t n, uint64_t *off) {
  size_t pn = prefix ? strlen(prefix) : 0;
  if (x->plen + pn + n + 1 > x->pcap) {
    uint64_t cap = x->pcap ? x->pcap * 2 : 1 << 16;
    while (cap < x->plen + pn + n + 1)
      cap *= 2;
    char *p = realloc(x->pool, cap);
    if (!p)
      return PSC_ENOMEM;
    x->pool = p;
    x->pcap = cap;
  }
  *off = x->plen;
  if (pn)
    memcpy(x->pool + x->plen, prefix, pn);
  memcpy(x->pool + x->plen + pn, s, n);
  x->pool[x->plen + pn + n] = '\0';
  x->plen += pn + n + 1;
  return 0;
}

static int flag01(res_ctx_t *x, const psc__csv_field_t *f, const char *col, int *v) {
  uint64_t u = 0;
  psc__num_status_t st = f->text ? psc__parse_u64(f->text, 1, &u) : PSC__NUM_OK;
  if (st != PSC__NUM_OK) {
    psc__error(x->d, x->file, f->line, f->col, "%s '%s' %s (expected 0 or 1)", col, f->text,
               psc__num_status_text(st));
    return -1;
  }
  *v = (int)u;
  return 0;
}

static int res_row(void *ud, const psc__csv_row_t *row) {
  res_ctx_t *x = ud;
  const psc__csv_field_t *f = row->field;
  if (x->n == x->cap) {
    uint32_t cap = x->cap ? x->cap * 2 : 1024;
    void *a = realloc(x->comm, cap * 4ull), *b = NULL, *c = NULL, *e = NULL, *l = NULL;
    if (a) x->comm = a;
    if (a && (b = realloc(x->hh, cap * 4ull))) x->hh = b;
    if (b && (c = realloc(x->id_off, cap * 8ull))) x->id_off = c;
    if (c && (e = realloc(x->flags, cap))) x->flags = e;
    if (e && (l = realloc(x->lines, cap * 4ull))) x->lines = l;
    if (!l)
      return PSC_ENOMEM;
    x->cap = cap;
  }
  int bad = 0, d2d = 0, hr = 0;
  uint32_t c = PSC__NONE;
  if (!f[R_ID].len) {
    psc__error(x->d, x->file, f[R_ID].line, f[R_ID].col, "id is empty");
    bad = 1;
  }
  if (!f[R_HH].len) {
    psc__error(x->d, x->file, f[R_HH].line, f[R_HH].col, "household is empty");
    bad = 1;
  }
  for (int k = R_ID; k <= R_HH; k++)
    if (psc__excel_mangled(f[k].text, f[k].len)) {
      psc__error(x->d, x->file, f[k].line, f[k].col, PSC__EXCEL_MANGLED_FMT, RES_COLS[k].name,
                 f[k].text);
      bad = 1;
    }
  c = psc__strmap_get(&x->comms, f[R_COMM].text, f[R_COMM].len);
  if (c == PSC__NONE) {
    psc__error(x->d, x->file, f[R_COMM].line, f[R_COMM].col, "unknown community '%s' (not in %s)",
               f[R_COMM].text, x->s->file_communities);
    bad = 1;
  }
  bad |= flag01(x, &f[R_D2D], "door_to_door", &d2d) | flag01(x, &f[R_HR], "high_risk", &hr);
  if (d2d && hr) {
    psc__error(x->d, x->file, f[R_HR].line, f[R_HR].col,
               "a resident is either door_to_door or high_risk, not both");
    bad = 1;
  }
  if (!f[R_ID].len)
    return 0;
  uint32_t i = x->n;
  int err;
  if (pool_add(x, NULL, f[R_ID].text, f[R_ID].len, &x->id_off[i]))
    return PSC_ENOMEM;
  x->lines[i] = row->line;
  uint32_t prev = psc__strmap_put(&x->ids, f[R_ID].text, f[R_ID].len, i, &err);
  if (err)
    return err;
  if (prev != PSC__NONE) {
    psc__error(x->d, x->file, f[R_ID].line, f[R_ID].col,
               "duplicate resident id '%s' (first at line %u)", f[R_ID].text, x->lines[prev]);
    x->plen = x->id_off[i];
    return 0;
  }
  x->n++;
  if (bad) {
    x->comm[i] = PSC__NONE;
    return 0;
  }
  /* household key: community index as 8 hex digits, then the text */
  char prefix[9];
  snprintf(prefix, sizeof(prefix), "%08x", c);
  if (x->nhh == x->hhcap) {
    uint32_t cap = x->hhcap ? x->hhcap * 2 : 1024;
    void *a = realloc(x->hh_off, cap * 8ull), *b = NULL;
    if (a) x->hh_off = a;
    if (a && (b = realloc(x->hh_comm, cap * 4ull))) x->hh_comm = b;
    if (!b)
      return PSC_ENOMEM;
    x->hhcap = cap;
  }
  if (pool_add(x, prefix, f[R_HH].text, f[R_HH].len, &x->hh_off[x->nhh]))
    return PSC_ENOMEM;
  const char *key = x->pool + x->hh_off[x->nhh];
  uint32_t h = psc__strmap_put(&x->hhs, key, strlen(key), x->nhh, &err);
  if (err)
    return err;
  if (h == PSC__NONE) {
    h = x->nhh;
    x->hh_comm[x->nhh++] = c;
  } else {
    x->plen = x->hh_off[x->nhh]; /* drop the repeated key */
  }
  x->comm[i] = c;
  x->hh[i] = h;
  x->flags[i] = (uint8_t)((d2d ? PSC_RES_DOOR_TO_DOOR : 0) | (hr ? PSC_RES_HIGH_RISK : 0));
  return 0;
}

/* Compares the roster's counts with communities.csv; errors name both files. */
static void reconcile(res_ctx_t *x) {
  psc_scenario_t *s = x->s;
  uint32_t nc = s->comm.count;
  uint32_t *cnt = calloc((size_t)nc * 4 + 1, sizeof(uint32_t));
  if (!cnt)
    return;
  for (uint32_t i = 0; i < x->n; i++) {
    uint32_t c = x->comm[i];
    if (c == PSC__NONE)
      continue;
    cnt[4 * c + 0]++;
    cnt[4 * c + 2] += (x->flags[i] & PSC_RES_DOOR_TO_DOOR) != 0;
    cnt[4 * c + 3] += (x->flags[i] & PSC_RES_HIGH_RISK) != 0;
  }
  for (uint32_t h = 0; h < x->nhh; h++)
    cnt[4 * x->hh_comm[h] + 1]++;
  static const char *what[] = {"population", "households", "door_to_door", "high_risk"};
  static const char *unit[] = {"residents", "households", "door_to_door residents",
                               "high_risk residents"};
  for (uint32_t c = 0; c < nc; c++) {
    uint32_t want[4] = {s->comm.population[c], s->comm.households[c], s->comm.door_to_door[c],
                        s->comm.high_risk[c]};
    for (int k = 0; k < 4; k++)
      if (cnt[4 * c + k] != want[k])
        psc__error(x->d, s->file_communities, s->comm.line[c], s->comm_cols[5 * c + k],
                   "community '%s': %s %u disagrees with %s, which has %u %s", s->comm.id[c],
                   what[k], want[k], x->file, cnt[4 * c + k], unit[k]);
  }
  free(cnt);
}

/* Regroups residents by community, then household, with counting sorts. */
static int build_roster(res_ctx_t *x) {
  psc_scenario_t *s = x->s;
  psc_roster_t *r = &s->roster;
  uint32_t nc = s->comm.count, nh = x->nhh, n = x->n;
  r->residents = n;
  r->households = nh;
  r->comm_hh_first = calloc((size_t)nc + 1, 4);
  r->hh_first = calloc((size_t)nh + 1, 4);
  r->hh_community = psc__malloc(nh, 4);
  r->res_household = psc__malloc(n, 4);
  r->res_flags = psc__malloc(n, 1);
  uint32_t *hh_new = psc__malloc(nh, 4);
  s->hh_id_off = psc__malloc(nh, 8);
  s->res_id_off = psc__malloc(n, 8);
  if (!r->comm_hh_first || !r->hh_first || !r->hh_community || !r->res_household ||
      !r->res_flags || !hh_new || !s->hh_id_off || !s->res_id_off) {
    free(hh_new);
    return PSC_ENOMEM;
  }
  for (uint32_t h = 0; h < nh; h++)
    r->comm_hh_first[x->hh_comm[h] + 1]++;
  for (uint32_t c = 0; c < nc; c++)
    r->comm_hh_first[c + 1] += r->comm_hh_first[c];
  uint32_t *next = r->hh_first; /* borrowed as a cursor, rebuilt below */
  for (uint32_t c = 0; c < nc; c++)
    next[c] = r->comm_hh_first[c];
  for (uint32_t h = 0; h < nh; h++) {
    uint32_t k = next[x->hh_comm[h]]++;
    hh_new[h] = k;
    r->hh_community[k] = x->hh_comm[h];
    s->hh_id_off[k] = x->hh_off[h] + 8;
  }
  memset(r->hh_first, 0, ((size_t)nh + 1) * 4);
  for (uint32_t i = 0; i < n; i++)
    r->hh_first[hh_new[x->hh[i]] + 1]++;
  for (uint32_t h = 0; h < nh; h++)
    r->hh_first[h + 1] += r->hh_first[h];
  uint32_t *cur = psc__malloc(nh + 1, 4);
  if (!cur) {
    free(hh_new);
    return PSC_ENOMEM;
  }
  memcpy(cur, r->hh_first, ((size_t)nh + 1) * 4);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t h = hh_new[x->hh[i]];
    uint32_t k = cur[h]++;
    r->res_household[k] = h;
    r->res_flags[k] = x->flags[i];
    s->res_id_off[k] = x->id_off[i];
  }
  free(cur);
  free(hh_new);
  s->id_pool = x->pool;
  s->id_pool_len = x->plen;
  x->pool = NULL;
  r->synthesised = 0;
  return 0;
}

int psc__load_residents(psc_scenario_t *s, FILE *fp, psc_diags_t *d) {
  res_ctx_t *x = calloc(1, sizeof(*x));
  if (!x)
    return PSC_ENOMEM;
  x->s = s;
  x->d = d;
  x->file = s->file_residents;
  int rc = psc__strmap_init(&x->ids, 1024, key_of_id, x);
  if (!rc)
    rc = psc__strmap_init(&x->hhs, 1024, key_of_hh, x);
  if (!rc)
    rc = psc__strmap_init(&x->comms, s->comm.count, key_of_comm, s);
  for (uint32_t c = 0; !rc && c < s->comm.count; c++)
    psc__strmap_put(&x->comms, s->comm.id[c], strlen(s->comm.id[c]), c, &rc);
  size_t before = psc_diags_errors(d);
  uint32_t rows = 0;
  if (!rc)
    rc = psc__csv_read(fp, x->file, RES_COLS, R_NCOLS, res_row, x, d, &rows);
  psc__strmap_free(&x->ids);
  psc__strmap_free(&x->hhs);
  psc__strmap_free(&x->comms);
  if (!rc) {
    reconcile(x);
    if (psc_diags_errors(d) > before)
      rc = PSC_EINPUT;
  }
  if (!rc)
    rc = build_roster(x);
  free(x->comm);
  free(x->hh);
  free(x->id_off);
  free(x->flags);
  free(x->lines);
  free(x->hh_off);
  free(x->hh_comm);
  free(x->pool);
  free(x);
  return rc;
}
