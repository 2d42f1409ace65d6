/* plan_summary: a small program built on libpoolscreen. It loads a scenario
 * (or the embedded default one), plans the round and prints each deadline's
 * verdict. Build it against an installed poolscreen with pkg-config or
 * CMake (examples/README.md). */
#include <stdio.h>

#include <poolscreen/poolscreen.h>

int main(int argc, char **argv) {
  printf("libpoolscreen %s (headers %s)\n", psc_version(), PSC_VERSION);
  psc_diags_t *d = psc_diags_create();
  if (!d)
    return 1;
  psc_scenario_t *s = NULL;
  int rc = argc > 1 ? psc_scenario_load(argv[1], d, &s) : psc_scenario_load_default(d, &s);
  for (size_t i = 0; i < psc_diags_count(d); i++) {
    const psc_diag_t *g = psc_diags_get(d, i);
    fprintf(stderr, "%s:%u:%u: %s\n", g->file, g->line, g->column, g->message);
  }
  psc_diags_free(d);
  if (rc) {
    fprintf(stderr, "plan_summary: %s\n", psc_strerror(rc));
    return 2;
  }
  psc_plan_options_t opt = psc_plan_options_default();
  opt.advise = 0;
  psc_plan_t *p = NULL;
  rc = psc_plan_create(s, &opt, &p);
  if (rc) {
    fprintf(stderr, "plan_summary: %s\n", psc_strerror(rc));
    psc_scenario_free(s);
    return 1;
  }
  const psc_verdict_t *v = psc_plan_district(p);
  printf("%s: %u residents in %u tubes\n", psc_scenario_params(s)->name, v->residents,
         psc_plan_tubes(p)->count);
  const psc_streets_t *st = psc_scenario_streets(s);
  for (uint32_t i = 0; i < st->count; i++) {
    const psc_verdict_t *sv = psc_plan_street(p, i);
    printf("street %s: complete at minute %.0f, deadline %.0f: %s\n", st->name[i], sv->complete,
           sv->deadline, sv->met ? "met" : "MISSED");
  }
  printf("district: complete at minute %.0f, deadline %.0f: %s\n", v->complete, v->deadline,
         v->met ? "met" : "MISSED");
  psc_plan_free(p);
  psc_scenario_free(s);
  return 0;
}
