/* The simulation's page: distribution of district and street completion,
 * P(met) per unit with its interval, missed positives and time to control
 * over the replicates, and the units' table as in sim_summary.csv. */
#include "report/report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Quantile q of sorted finite values (linear interpolation). */
static double quantile(const double *v, size_t n, double q) {
  if (!n)
    return NAN;
  double h = (n - 1) * q;
  size_t lo = (size_t)floor(h);
  return lo + 1 < n ? v[lo] + (h - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/* A histogram of the finite values of v (times scale) in about 30 bins of
 * a round width; bar chart. */
static void histogram(FILE *f, const char *id, const char *heading, const char *xlabel,
                      const double *v, size_t n, double scale, int integer) {
  double lo = INFINITY, hi = -INFINITY;
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) {
      lo = fmin(lo, v[i] * scale);
      hi = fmax(hi, v[i] * scale);
      m++;
    }
  if (!m)
    return;
  double w = (hi - lo) / 30;
  static const double steps[] = {0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100};
  double width = 100;
  for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
    if (steps[k] >= w) {
      width = steps[k];
      break;
    }
  if (integer && width < 1)
    width = 1;
  double first = floor(lo / width) * width;
  size_t nb = (size_t)floor((hi - first) / width) + 1;
  double *count = calloc(nb, sizeof(double));
  if (!count)
    return;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) {
      size_t b = (size_t)floor((v[i] * scale - first) / width);
      count[b < nb ? b : nb - 1] += 1;
    }
  psc__rep_chart_begin(f, id, heading, 1100, 300);
  fputs("{\"type\":\"bar\",\"data\":{\"labels\":[", f);
  for (size_t b = 0; b < nb; b++) {
    if (b)
      fputc(',', f);
    psc__rep_json_num(f, first + b * width);
  }
  fputs("],\"datasets\":[{\"label\":\"replicates\",\"backgroundColor\":\"#4e79a7\","
        "\"barPercentage\":1,\"categoryPercentage\":0.95,\"data\":",
        f);
  psc__rep_json_nums(f, count, nb, 1);
  fputs("}]},\"options\":{\"plugins\":{\"legend\":{\"display\":false}},\"scales\":{\"x\":{"
        "\"title\":{\"display\":true,\"text\":",
        f);
  psc__rep_json_str(f, xlabel);
  fputs("}},\"y\":{\"title\":{\"display\":true,\"text\":\"replicates\"}}}}}", f);
  psc__rep_chart_end(f);
  free(count);
}

static const char *unit_name(const psc_sim_t *sim, const psc_sim_unit_t *u) {
  const psc_scenario_t *s = psc_plan_scenario(psc_sim_plan(sim));
  return u->level == 0   ? psc_scenario_communities(s)->id[u->index]
         : u->level == 1 ? psc_scenario_streets(s)->name[u->index]
                         : psc_scenario_params(s)->name;
}

static void streets_spread(FILE *f, const psc_sim_t *sim) {
  const psc_scenario_t *s = psc_plan_scenario(psc_sim_plan(sim));
  const psc_streets_t *sv = psc_scenario_streets(s);
  uint32_t R = psc_sim_replicates(sim);
  double *v = malloc((R + 1) * sizeof(double)), (*q)[3] = calloc(sv->count + 1, sizeof *q);
  if (!v || !q)
    goto out;
  for (uint32_t st = 0; st < sv->count; st++) {
    size_t n = 0;
    for (uint32_t r = 0; r < R; r++) {
      double x = psc_sim_street_complete(sim, r, st);
      if (isfinite(x))
        v[n++] = x / 60;
    }
    qsort(v, n, sizeof(double), cmp_double);
    q[st][0] = quantile(v, n, 0.05);
    q[st][1] = quantile(v, n, 0.5);
    q[st][2] = quantile(v, n, 0.95);
  }
  psc__rep_chart_begin(f, "streets", "Street completion over replicates: 5-95 % range and median (hours after T0)",
                       1100, 60 + 26 * (int)sv->count);
  fputs("{\"type\":\"bar\",\"data\":{\"labels\":", f);
  psc__rep_json_strs(f, sv->name, sv->count);
  fputs(",\"datasets\":[{\"label\":\"5-95 %\",\"grouped\":false,\"backgroundColor\":\"#a0cbe8\","
        "\"data\":[",
        f);
  for (uint32_t st = 0; st < sv->count; st++) {
    fputs(st ? ",[" : "[", f);
    psc__rep_json_num(f, q[st][0]);
    fputc(',', f);
    psc__rep_json_num(f, q[st][2]);
    fputc(']', f);
  }
  fputs("]},{\"label\":\"median\",\"grouped\":false,\"order\":-1,\"backgroundColor\":\"#4e79a7\","
        "\"data\":[",
        f);
  for (uint32_t st = 0; st < sv->count; st++) {
    fputs(st ? ",[" : "[", f);
    psc__rep_json_num(f, q[st][1] - 0.1);
    fputc(',', f);
    psc__rep_json_num(f, q[st][1] + 0.1);
    fputc(']', f);
  }
  fputs("]}]},\"options\":{\"indexAxis\":\"y\",\"scales\":{\"x\":{\"type\":\"linear\",\"title\":"
        "{\"display\":true,\"text\":\"hours after T0\"}}}}}",
        f);
  psc__rep_chart_end(f);
out:
  free(v);
  free(q);
}

static void p_met_chart(FILE *f, const psc_sim_t *sim) {
  size_t n = psc_sim_units(sim);
  if (!n)
    return;
  static const char *lv[] = {"key", "street", "district"};
  psc__rep_chart_begin(f, "pmet", "P(deadline met) per unit with its 95 % interval", 1100,
                       60 + 20 * (int)n);
  fputs("{\"type\":\"bar\",\"data\":{\"labels\":[", f);
  char label[512];
  for (size_t i = 0; i < n; i++) {
    const psc_sim_unit_t *u = psc_sim_unit(sim, i);
    snprintf(label, sizeof label, "%s %s", lv[u->level], unit_name(sim, u));
    if (i)
      fputc(',', f);
    psc__rep_json_str(f, label);
  }
  fputs("],\"datasets\":[{\"label\":\"95 % interval\",\"grouped\":false,\"backgroundColor\":"
        "\"#f28e2b\",\"data\":[",
        f);
  for (size_t i = 0; i < n; i++) {
    const psc_sim_unit_t *u = psc_sim_unit(sim, i);
    fputs(i ? ",[" : "[", f);
    psc__rep_json_num(f, u->p_met_lo);
    fputc(',', f);
    psc__rep_json_num(f, fmax(u->p_met_hi, u->p_met_lo + 0.004));
    fputc(']', f);
  }
  fputs("]},{\"label\":\"P(met)\",\"grouped\":false,\"order\":-1,\"backgroundColor\":\"#222\","
        "\"data\":[",
        f);
  for (size_t i = 0; i < n; i++) {
    const psc_sim_unit_t *u = psc_sim_unit(sim, i);
    fputs(i ? ",[" : "[", f);
    psc__rep_json_num(f, fmax(0, u->p_met - 0.004));
    fputc(',', f);
    psc__rep_json_num(f, fmin(1, u->p_met + 0.004));
    fputc(']', f);
  }
  fputs("]}]},\"options\":{\"indexAxis\":\"y\",\"scales\":{\"x\":{\"type\":\"linear\",\"min\":0,"
        "\"max\":1}}}}",
        f);
  psc__rep_chart_end(f);
}

static void unit_table(FILE *f, const psc_sim_t *sim) {
  static const char *level[] = {"key_community", "street", "district"};
  char a[32], b[32];
  fputs("<h2>Units</h2>\n<table class=\"sortable\" id=\"units\"><thead><tr><th class=\"t\">"
        "level</th><th class=\"t\">unit</th><th>P(met)</th><th>95 % low</th><th>95 % high</th>"
        "<th>complete p50 (min)</th><th>p50</th><th>complete p95 (min)</th><th>p95</th></tr>"
        "</thead><tbody>\n",
        f);
  for (size_t i = 0; i < psc_sim_units(sim); i++) {
    const psc_sim_unit_t *u = psc_sim_unit(sim, i);
    fprintf(f, "<tr data-level=\"%s\" data-id=\"", level[u->level]);
    psc__rep_text(f, unit_name(sim, u));
    fprintf(f, "\"><td class=\"t\">%s</td><td class=\"t\">", level[u->level]);
    psc__rep_text(f, unit_name(sim, u));
    fputs("</td>", f);
    psc__rep_td_num(f, "p_met", "%.4f", u->p_met);
    psc__rep_td_num(f, "p_met_lo", "%.4f", u->p_met_lo);
    psc__rep_td_num(f, "p_met_hi", "%.4f", u->p_met_hi);
    psc__rep_td_num(f, "complete_p50_min", "%.2f", u->complete_p50);
    fprintf(f, "<td>%s</td>", psc__rep_clock(a, sizeof a, u->complete_p50));
    psc__rep_td_num(f, "complete_p95_min", "%.2f", u->complete_p95);
    fprintf(f, "<td>%s</td></tr>\n", psc__rep_clock(b, sizeof b, u->complete_p95));
  }
  fputs("</tbody></table>\n", f);
}

int psc_report_sim(const psc_sim_t *sim, FILE *f) {
  if (!sim || !f)
    return PSC_EINVAL;
  const psc_scenario_t *s = psc_plan_scenario(psc_sim_plan(sim));
  uint32_t R = psc_sim_replicates(sim);
  double *col = malloc((R + 1) * 3 * sizeof(double));
  if (!col)
    return PSC_ENOMEM;
  double *done = col, *missed = col + R, *iso = col + 2 * R;
  double pos = 0, found = 0, tests = 0;
  for (uint32_t r = 0; r < R; r++) {
    const psc_sim_replicate_t *x = psc_sim_replicate(sim, r);
    done[r] = x->district_complete;
    missed[r] = x->missed;
    iso[r] = x->isolation_mean;
    pos += x->positives;
    found += x->found;
    tests += x->tests_per_person;
  }
  char sub[512];
  snprintf(sub, sizeof sub, "simulation of %s: %u replicates", psc_scenario_path(s), R);
  psc__rep_begin(f, "simulate", psc_scenario_params(s)->name, sub);
  const psc_sim_unit_t *dist = NULL;
  for (size_t i = 0; i < psc_sim_units(sim); i++)
    if (psc_sim_unit(sim, i)->level == 2)
      dist = psc_sim_unit(sim, i);
  char a[32];
  fputs("<div class=\"facts\">", f);
  if (dist)
    fprintf(f, "<div class=\"fact\">P(district met)<b id=\"p-district\">%.3f</b>95 %% "
               "[%.3f, %.3f]</div><div class=\"fact\">district complete, median<b>%s</b></div>",
            dist->p_met, dist->p_met_lo, dist->p_met_hi,
            psc__rep_clock(a, sizeof a, dist->complete_p50));
  fprintf(f, "<div class=\"fact\">tests per person<b>%.4f</b>retests included</div>",
          R ? tests / R : NAN);
  fprintf(f, "<div class=\"fact\">positives found<b>%.1f of %.1f</b>per round</div>",
          R ? found / R : NAN, R ? pos / R : NAN);
  fputs("</div>\n<h2>Completion</h2>\n", f);
  histogram(f, "district", "District completion over replicates", "hours after T0", done, R,
            1 / 60.0, 0);
  streets_spread(f, sim);
  fputs("<h2>Deadlines</h2>\n", f);
  p_met_chart(f, sim);
  fputs("<h2>Positives</h2>\n", f);
  histogram(f, "missed", "Missed positives per round", "missed positives", missed, R, 1, 1);
  histogram(f, "control", "First swab to temporary control of a found positive (mean per round)",
            "hours", iso, R, 1 / 60.0, 0);
  unit_table(f, sim);
  psc__rep_end(f);
  free(col);
  return 0;
}
