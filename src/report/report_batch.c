/* The batch's page: variants side by side — district completion against
 * the resources each adds, P(met) (or deadlines met) against the tests it
 * costs, completion and bound per variant, and a sortable table. */
#include "report/report_internal.h"

#include <math.h>
#include <string.h>

/* One scatter chart: a point per variant, named in the tooltip. */
static void scatter(FILE *f, const psc_batch_t *b, const char *id, const char *heading,
                    const char *xlabel, const char *ylabel, double (*x)(const psc_batch_result_t *),
                    double (*y)(const psc_batch_result_t *)) {
  uint32_t n = psc_batch_variants(b);
  psc__rep_chart_begin(f, id, heading, 1100, 380);
  fputs("{\"type\":\"scatter\",\"data\":{\"datasets\":[{\"label\":\"variants\","
        "\"backgroundColor\":\"#4e79a7\",\"pointRadius\":5,\"data\":[",
        f);
  for (uint32_t v = 0; v < n; v++) {
    const psc_batch_result_t *r = psc_batch_result(b, v);
    fprintf(f, "%s{\"x\":", v ? "," : "");
    psc__rep_json_num(f, x(r));
    fputs(",\"y\":", f);
    psc__rep_json_num(f, y(r));
    fputs(",\"name\":", f);
    psc__rep_json_str(f, psc_batch_variant_name(b, v));
    fputc('}', f);
  }
  fputs("]}]},\"options\":{\"plugins\":{\"legend\":{\"display\":false}},\"scales\":{\"x\":{"
        "\"title\":{\"display\":true,\"text\":",
        f);
  psc__rep_json_str(f, xlabel);
  fputs("}},\"y\":{\"title\":{\"display\":true,\"text\":", f);
  psc__rep_json_str(f, ylabel);
  fputs("}}}}}", f);
  psc__rep_chart_end(f);
}

static double complete_h(const psc_batch_result_t *r) { return r->district_complete / 60; }
static double tubes_added(const psc_batch_result_t *r) { return r->lab_tubes_per_day_added; }
static double tests_pp(const psc_batch_result_t *r) {
  return r->replicates ? r->sim_tests_per_person : r->tests_per_person;
}
static double p_district(const psc_batch_result_t *r) { return r->p_met[2]; }
static double units_met(const psc_batch_result_t *r) {
  return r->keys_met + r->streets_met + r->district_met;
}

static void completion_bars(FILE *f, const psc_batch_t *b) {
  uint32_t n = psc_batch_variants(b);
  const psc_params_t *par = psc_scenario_params(psc_batch_base(b));
  psc__rep_chart_begin(f, "completion", "District completion and its capacity lower bound per variant (hours after T0)",
                       1100, 60 + 22 * (int)n);
  fputs("{\"type\":\"bar\",\"data\":{\"labels\":[", f);
  char label[600];
  for (uint32_t v = 0; v < n; v++) {
    snprintf(label, sizeof label, "%u %s", v, psc_batch_variant_name(b, v));
    if (v)
      fputc(',', f);
    psc__rep_json_str(f, label);
  }
  fputs("],\"datasets\":[{\"label\":\"district complete\",\"data\":[", f);
  for (uint32_t v = 0; v < n; v++) {
    if (v)
      fputc(',', f);
    psc__rep_json_num(f, psc_batch_result(b, v)->district_complete / 60);
  }
  fputs("],\"backgroundColor\":[", f);
  for (uint32_t v = 0; v < n; v++)
    fprintf(f, "%s\"%s\"", v ? "," : "",
            psc_batch_result(b, v)->district_met ? "#59a14f" : "#e15759");
  fputs("]},{\"label\":\"lower bound\",\"backgroundColor\":\"#bab0ac\",\"data\":[", f);
  for (uint32_t v = 0; v < n; v++) {
    if (v)
      fputc(',', f);
    psc__rep_json_num(f, psc_batch_result(b, v)->lower_bound / 60);
  }
  fprintf(f, "]}]},\"options\":{\"indexAxis\":\"y\",\"scales\":{\"x\":{\"min\":0}},\"plugins\":{"
             "\"vlines\":{\"lines\":[{\"x\":%g,\"label\":\"district %g h\"}]}}}}",
          par->deadline_district_h, par->deadline_district_h);
  psc__rep_chart_end(f);
}

static void table(FILE *f, const psc_batch_t *b) {
  uint32_t n = psc_batch_variants(b);
  int sim = n && psc_batch_result(b, 0)->replicates;
  char a[32], c[32];
  fputs("<h2>Variants</h2>\n<table class=\"sortable\" id=\"variants\"><thead><tr><th>#</th>"
        "<th class=\"t\">variant</th><th class=\"t\">changes</th><th>streets met</th><th>key "
        "met</th><th>district</th><th>complete</th><th>bound</th><th>gap (h)</th><th>tubes</th>"
        "<th>tests/person</th><th class=\"t\">bottleneck</th><th>instruments +</th><th>booths "
        "+</th><th>lab tubes/day +</th>",
        f);
  if (sim)
    fputs("<th>P(key)</th><th>P(street)</th><th>P(district)</th>", f);
  fputs("</tr></thead><tbody>\n", f);
  for (uint32_t v = 0; v < n; v++) {
    const psc_batch_result_t *r = psc_batch_result(b, v);
    fprintf(f, "<tr data-variant=\"%u\"><td>%u</td><td class=\"t\">", v, v);
    psc__rep_text(f, psc_batch_variant_name(b, v));
    fputs("</td><td class=\"t\">", f);
    psc__rep_text(f, psc_batch_variant_changes(b, v));
    fprintf(f, "</td><td>%u/%u</td><td>%u/%u</td><td class=\"%s\">%s</td>", r->streets_met,
            r->streets, r->keys_met, r->keys, r->district_met ? "met" : "miss",
            r->district_met ? "met" : "MISSED");
    fprintf(f, "<td data-col=\"district_complete_min\" data-min=\"%.1f\">%s</td>",
            r->district_complete, psc__rep_clock(a, sizeof a, r->district_complete));
    fprintf(f, "<td>%s</td>", psc__rep_clock(c, sizeof c, r->lower_bound));
    psc__rep_td_num(f, "gap_h", "%.1f", r->gap / 60);
    psc__rep_td_num(f, "tubes", "%.0f", r->tubes);
    psc__rep_td_num(f, "tests_per_person", "%.5f", r->tests_per_person);
    fprintf(f, "<td class=\"t\">%s</td>", r->bottleneck);
    fprintf(f, "<td>%lld</td><td>%lld</td>", (long long)r->instruments_added,
            (long long)r->booths_added);
    psc__rep_td_num(f, "lab_tubes_per_day_added", "%.0f", r->lab_tubes_per_day_added);
    if (sim) {
      psc__rep_td_num(f, "p_key", "%.4f", r->p_met[0]);
      psc__rep_td_num(f, "p_street", "%.4f", r->p_met[1]);
      psc__rep_td_num(f, "p_district", "%.4f", r->p_met[2]);
    }
    fputs("</tr>\n", f);
  }
  fputs("</tbody></table>\n", f);
}

int psc_report_batch(const psc_batch_t *b, FILE *f) {
  if (!b || !f || !psc_batch_base(b) || !psc_batch_variants(b) || !psc_batch_result(b, 0))
    return PSC_EINVAL;
  uint32_t n = psc_batch_variants(b), met = 0, best = 0;
  int sim = psc_batch_result(b, 0)->replicates > 0;
  for (uint32_t v = 0; v < n; v++) {
    met += psc_batch_result(b, v)->district_met != 0;
    if (psc_batch_result(b, v)->district_complete < psc_batch_result(b, best)->district_complete)
      best = v;
  }
  const psc_scenario_t *s = psc_batch_base(b);
  char sub[512], a[32];
  snprintf(sub, sizeof sub, "batch of %u variants of %s%s", n, psc_scenario_path(s),
           sim ? ", each simulated" : "");
  psc__rep_begin(f, "batch", psc_scenario_params(s)->name, sub);
  fputs("<div class=\"facts\">", f);
  fprintf(f, "<div class=\"fact\">variants<b id=\"variants-count\">%u</b></div>", n);
  fprintf(f, "<div class=\"fact\">meeting the district deadline<b>%u</b></div>", met);
  fprintf(f, "<div class=\"fact\">earliest district completion<b>%s</b>", 
          psc__rep_clock(a, sizeof a, psc_batch_result(b, best)->district_complete));
  psc__rep_text(f, psc_batch_variant_name(b, best));
  fputs("</div></div>\n<h2>Side by side</h2>\n", f);
  scatter(f, b, "vsresources", "District completion against lab capacity added",
          "lab tubes per day added", "district complete (hours after T0)", tubes_added,
          complete_h);
  if (sim)
    scatter(f, b, "vscost", "P(district met) against tests per person (retests included)",
            "tests per person", "P(district met)", tests_pp, p_district);
  else
    scatter(f, b, "vscost", "Deadlines met (key communities + streets + district) against tubes per person",
            "tubes per person", "deadlines met", tests_pp, units_met);
  completion_bars(f, b);
  table(f, b);
  psc__rep_end(f);
  return 0;
}
