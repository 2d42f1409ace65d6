/* A plan's identity: a 64-bit fingerprint of its scenario parameters, its
 * tables and its content (every tube's community, site, lab, run and times,
 * every resident's tube), so that two different plans — another pool size,
 * another margin or hold, another roster — never share it. It is stored in plan.h5,
 * carried into every output, and its last four decimal digits are part of
 * every tube id (docs/output.md). */
#include "plan/plan_internal.h"

#include <string.h>

typedef struct {
  uint64_t h;
} fp_t;

static void word(fp_t *f, uint64_t w) { f->h = psc__mix64(f->h ^ w) + 0x632BE59BD9B4E019ULL; }

static void bytes(fp_t *f, const void *p, size_t n) {
  const unsigned char *b = p;
  word(f, n);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, b + i, 8);
    word(f, w);
  }
  uint64_t w = 0;
  memcpy(&w, b + i, n - i);
  word(f, w);
}

static void text(fp_t *f, const char *s) { bytes(f, s ? s : "", s ? strlen(s) : 0); }

static void texts(fp_t *f, char *const *v, uint32_t n) {
  word(f, n);
  for (uint32_t i = 0; i < n; i++)
    text(f, v[i]);
}

uint64_t psc__plan_identity(const psc_plan_t *p) {
  fp_t f = {0x706F6F6C73637265ULL}; /* "poolscre" */
  const psc_params_t *par = psc_scenario_params(p->s);
  /* the scenario: every parameter but the table paths (the tables' content
   * follows), then the tables */
  for (size_t i = 0; i < psc_param_count(); i++) {
    const psc_param_info_t *in = psc_param_info(i);
    const void *fld = (const char *)par + in->offset;
    text(&f, in->key);
    switch (in->type) {
    case PSC_PARAM_INT:
    case PSC_PARAM_POOL:
    case PSC_PARAM_BOOL:
      word(&f, (uint64_t)(int64_t)*(const int *)fld);
      break;
    case PSC_PARAM_UINT64:
      word(&f, *(const uint64_t *)fld);
      break;
    case PSC_PARAM_DOUBLE:
      bytes(&f, fld, sizeof(double));
      break;
    case PSC_PARAM_PATH:
      break;
    default:
      text(&f, *(char *const *)fld);
    }
  }
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  texts(&f, cm->id, cm->count);
  bytes(&f, cm->population, cm->count * sizeof(uint32_t));
  bytes(&f, cm->key, cm->count);
  const psc_sites_t *st = psc_scenario_sites(p->s);
  texts(&f, st->id, st->count);
  bytes(&f, st->booths, st->count * sizeof(uint32_t));
  bytes(&f, st->rate, st->count * sizeof(double));
  const psc_labs_t *lb = psc_scenario_labs(p->s);
  texts(&f, lb->id, lb->count);
  bytes(&f, lb->instruments, lb->count * sizeof(uint32_t));
  bytes(&f, lb->wells, lb->count * sizeof(uint32_t));
  /* the options as they shaped the plan, and its content */
  bytes(&f, &p->margin_min, sizeof(double));
  bytes(&f, &p->v.hold, sizeof(double));
  if (p->v.align_end > 0) /* unaligned plans keep the identities they had */
    bytes(&f, &p->v.align_end, sizeof(double));
  if (p->v.street_open)
    bytes(&f, p->v.street_open, psc_scenario_streets(p->s)->count * sizeof(double));
  const psc__pack_t *pk = &p->pk;
  const psc__eval_t *e = &p->e;
  uint32_t nt = pk->ntubes;
  bytes(&f, pk->tube_comm, nt * sizeof(uint32_t));
  bytes(&f, pk->tube_swabs, nt);
  bytes(&f, pk->tube_stream, nt);
  bytes(&f, e->site, nt * sizeof(uint32_t));
  bytes(&f, e->lab, nt * sizeof(uint32_t));
  bytes(&f, e->run, nt * sizeof(uint32_t));
  bytes(&f, e->sealed, nt * sizeof(double));
  bytes(&f, e->reported, nt * sizeof(double));
  bytes(&f, pk->members, (size_t)pk->member_first[nt] * sizeof(uint32_t));
  bytes(&f, pk->res_tube, (size_t)psc_scenario_roster(p->s)->residents * sizeof(uint32_t));
  return f.h;
}

int psc_plan_identity(const psc_plan_t *p, char *buf, size_t size) {
  return snprintf(buf, size, "%016llx", (unsigned long long)p->identity);
}

int psc_plan_tube_id(const psc_plan_t *p, uint32_t t, char *buf, size_t size) {
  return psc__tube_code(p->date_code, (uint32_t)(p->identity % 10000u), t + 1, buf, size);
}
