/* The plan's page: verdicts, a Gantt of each street's sampling and results
 * against its deadline, the share of residents with a result over time, lab
 * load and plate fill, site utilisation, key communities' slack, and the
 * bottleneck and advice in words. */
#include "report/report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BIN_MIN 30.0 /* time step of the curves, minutes */
#define MAX_BARS 60  /* sites / key communities shown, the busiest / tightest */
#define MAX_LABS 12  /* labs drawn one by one; the rest summed */

static const char *const COLOURS[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
                                      "#86bcb6", "#d37295", "#888888"};

/* Open minutes of [open, close) daily hours within [0, t] after T0. */
static double open_within(int32_t open, int32_t close, int start_mod, double t) {
  if (open == 0 && close == 1440)
    return t;
  double sum = 0, len = psc_open_minutes(open, close);
  for (int d = -1; d * 1440.0 - start_mod <= t; d++) {
    double a = d * 1440.0 - start_mod + open, b = a + len;
    a = a > 0 ? a : 0;
    b = b < t ? b : t;
    sum += b > a ? b - a : 0;
  }
  return sum;
}

typedef struct {
  double v;
  uint32_t i;
} keyed_t;

static int by_v_desc(const void *a, const void *b) {
  const keyed_t *x = a, *y = b;
  if (x->v != y->v)
    return x->v < y->v ? 1 : -1;
  return (x->i > y->i) - (x->i < y->i);
}

static int by_v_asc(const void *a, const void *b) { return -by_v_desc(a, b); }

static void vlines(FILE *f, const psc_params_t *par) {
  fputs("\"vlines\":{\"lines\":[", f);
  fprintf(f, "{\"x\":%g,\"label\":\"key %g h\",\"color\":\"#e15759\"},", par->deadline_key_h,
          par->deadline_key_h);
  fprintf(f, "{\"x\":%g,\"label\":\"district %g h\",\"color\":\"#b00\"}]}",
          par->deadline_district_h, par->deadline_district_h);
}

static void gantt(FILE *f, const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_streets_t *sv = psc_scenario_streets(s);
  const uint32_t *order = psc_plan_street_order(p);
  psc__rep_chart_begin(f, "gantt", "Streets: sampling, waiting for results, street deadline (hours after T0)",
                       1100, 60 + 26 * (int)sv->count);
  fputs("{\"type\":\"bar\",\"data\":{\"labels\":[", f);
  for (uint32_t k = 0; k < sv->count; k++) {
    if (k)
      fputc(',', f);
    psc__rep_json_str(f, sv->name[order[k]]);
  }
  fputs("],\"datasets\":[", f);
  static const char *names[] = {"sampling", "waiting for results", "street deadline"};
  static const char *col[] = {"#4e79a7", "#a0cbe8", "#b00"};
  for (int ds = 0; ds < 3; ds++) {
    /* the deadline tick on top: lower order is drawn later */
    fprintf(f, "%s{\"label\":\"%s\",\"grouped\":false,\"order\":%d,\"backgroundColor\":\"%s\","
               "\"data\":[",
            ds ? "," : "", names[ds], ds == 2 ? -1 : ds, col[ds]);
    for (uint32_t k = 0; k < sv->count; k++) {
      const psc_verdict_t *v = psc_plan_street(p, order[k]);
      double a = ds == 0 ? v->sampling_start : ds == 1 ? v->sampling_end : v->deadline - 8;
      double b = ds == 0 ? v->sampling_end : ds == 1 ? v->complete : v->deadline + 8;
      fputs(k ? ",[" : "[", f);
      psc__rep_json_num(f, a / 60);
      fputc(',', f);
      psc__rep_json_num(f, b / 60);
      fputc(']', f);
    }
    fputs("]}", f);
  }
  fputs("]},\"options\":{\"indexAxis\":\"y\",\"scales\":{\"x\":{\"type\":\"linear\",\"min\":0,"
        "\"title\":{\"display\":true,\"text\":\"hours after T0\"}}},"
        "\"plugins\":{",
        f);
  vlines(f, psc_scenario_params(s));
  fputs("}}}", f);
  psc__rep_chart_end(f);
}

/* Share of residents with a result, every BIN_MIN minutes. */
static void results_curve(FILE *f, const psc_plan_t *p) {
  const psc_tubes_t *t = psc_plan_tubes(p);
  const psc_verdict_t *d = psc_plan_district(p);
  double end = isfinite(d->complete) ? d->complete : 0;
  size_t nb = (size_t)ceil(end / BIN_MIN) + 2;
  double *got = calloc(nb, sizeof(double));
  if (!got)
    return;
  for (uint32_t i = 0; i < t->count; i++) {
    size_t b = isfinite(t->reported[i]) ? (size_t)ceil(t->reported[i] / BIN_MIN) : nb - 1;
    got[b < nb ? b : nb - 1] += t->swabs[i];
  }
  psc__rep_chart_begin(f, "results", "Residents with a result (% of the district)", 1100, 340);
  fputs("{\"type\":\"line\",\"data\":{\"datasets\":[{\"label\":\"residents with a result\","
        "\"borderColor\":\"#59a14f\",\"backgroundColor\":\"rgba(89,161,79,.15)\",\"fill\":true,"
        "\"pointRadius\":0,\"data\":[",
        f);
  double cum = 0;
  for (size_t b = 0; b + 1 < nb; b++) {
    cum += got[b];
    fprintf(f, "%s{\"x\":", b ? "," : "");
    psc__rep_json_num(f, b * BIN_MIN / 60);
    fputs(",\"y\":", f);
    psc__rep_json_num(f, d->residents ? 100 * cum / d->residents : 0);
    fputc('}', f);
  }
  fputs("]}]},\"options\":{\"scales\":{\"x\":{\"type\":\"linear\",\"min\":0,\"title\":{"
        "\"display\":true,\"text\":\"hours after T0\"}},\"y\":{\"min\":0,\"max\":100}},"
        "\"plugins\":{",
        f);
  vlines(f, psc_scenario_params(psc_plan_scenario(p)));
  fputs("}}}", f);
  psc__rep_chart_end(f);
  free(got);
}

static void lab_load(FILE *f, const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_labs_t *lb = psc_scenario_labs(s);
  const psc_runs_t *r = psc_plan_runs(p);
  double end = 0;
  for (uint32_t k = 0; k < r->count; k++)
    end = r->end[k] > end ? r->end[k] : end;
  size_t nb = (size_t)ceil(end / BIN_MIN) + 1;
  uint32_t shown = lb->count > MAX_LABS ? MAX_LABS : lb->count;
  double *load = calloc(nb * (shown + 1), sizeof(double));
  double *tubes = calloc(lb->count, sizeof(double)), *wells = calloc(lb->count, sizeof(double));
  keyed_t *rank = calloc(lb->count, sizeof(keyed_t));
  uint32_t *slot = calloc(lb->count, sizeof(uint32_t));
  if (!load || !tubes || !wells || !rank || !slot)
    goto out;
  for (uint32_t k = 0; k < r->count; k++) {
    tubes[r->lab[k]] += r->tubes[k];
    wells[r->lab[k]] += lb->wells[r->lab[k]];
  }
  for (uint32_t l = 0; l < lb->count; l++)
    rank[l] = (keyed_t){tubes[l], l};
  qsort(rank, lb->count, sizeof(keyed_t), by_v_desc);
  for (uint32_t k = 0; k < lb->count; k++)
    slot[rank[k].i] = k < shown ? k : shown;
  for (uint32_t k = 0; k < r->count; k++) {
    size_t a = (size_t)ceil(r->start[k] / BIN_MIN);
    for (size_t b = a; b < nb && b * BIN_MIN < r->end[k]; b++)
      load[slot[r->lab[k]] * nb + b] += 1;
  }
  psc__rep_chart_begin(f, "labload", "Plates running per lab (PCR runs in progress)", 1100, 360);
  fputs("{\"type\":\"line\",\"data\":{\"datasets\":[", f);
  for (uint32_t k = 0; k <= shown; k++) {
    if (k == shown && lb->count <= MAX_LABS)
      break;
    fputs(k ? ",{\"label\":" : "{\"label\":", f);
    psc__rep_json_str(f, k < shown ? lb->id[rank[k].i] : "other labs");
    fprintf(f, ",\"borderColor\":\"%s\",\"backgroundColor\":\"%s\",\"fill\":true,"
               "\"stepped\":true,\"pointRadius\":0,\"data\":[",
            COLOURS[k % 13], COLOURS[k % 13]);
    for (size_t b = 0; b < nb; b++) {
      fprintf(f, "%s{\"x\":", b ? "," : "");
      psc__rep_json_num(f, b * BIN_MIN / 60);
      fputs(",\"y\":", f);
      psc__rep_json_num(f, load[k * nb + b]);
      fputc('}', f);
    }
    fputs("]}", f);
  }
  fputs("]},\"options\":{\"scales\":{\"x\":{\"type\":\"linear\",\"min\":0,\"title\":{"
        "\"display\":true,\"text\":\"hours after T0\"}},\"y\":{\"stacked\":true,\"title\":{"
        "\"display\":true,\"text\":\"plates\"}}},\"plugins\":{",
        f);
  vlines(f, psc_scenario_params(s));
  fputs("}}}", f);
  psc__rep_chart_end(f);
  psc__rep_chart_begin(f, "platefill", "Plate fill per lab (tubes / wells of its runs, %)", 1100,
                       300);
  fputs("{\"type\":\"bar\",\"data\":{\"labels\":", f);
  psc__rep_json_strs(f, lb->id, lb->count);
  fputs(",\"datasets\":[{\"label\":\"plate fill %\",\"backgroundColor\":\"#76b7b2\",\"data\":[",
        f);
  for (uint32_t l = 0; l < lb->count; l++) {
    if (l)
      fputc(',', f);
    psc__rep_json_num(f, wells[l] > 0 ? 100 * tubes[l] / wells[l] : 0);
  }
  fputs("]}]},\"options\":{\"scales\":{\"y\":{\"min\":0,\"max\":100}}}}", f);
  psc__rep_chart_end(f);
out:
  free(load);
  free(tubes);
  free(wells);
  free(rank);
  free(slot);
}

static void site_util(FILE *f, const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_sites_t *st = psc_scenario_sites(s);
  const psc_sessions_t *se = psc_plan_sessions(p);
  double horizon = psc_plan_district(p)->complete;
  int start_mod = psc_scenario_params(s)->start_minute_of_day;
  double *used = calloc(st->count + 1, sizeof(double));
  keyed_t *rank = calloc(st->count + 1, sizeof(keyed_t));
  if (!used || !rank || !isfinite(horizon))
    goto out;
  for (uint32_t k = 0; k < se->count; k++)
    used[se->site[k]] += se->residents[k] / st->rate[se->site[k]] * 60.0;
  for (uint32_t i = 0; i < st->count; i++) {
    double open = st->booths[i] * open_within(st->open_min[i], st->close_min[i], start_mod, horizon);
    rank[i] = (keyed_t){open > 0 ? 100 * used[i] / open : 0, i};
  }
  qsort(rank, st->count, sizeof(keyed_t), by_v_desc);
  uint32_t n = st->count > MAX_BARS ? MAX_BARS : st->count;
  char head[160];
  snprintf(head, sizeof head,
           "Site utilisation to district completion (swab time / open booth time, %%)%s",
           st->count > MAX_BARS ? ", the 60 busiest sites" : "");
  psc__rep_chart_begin(f, "sites", head, 1100, 340);
  fputs("{\"type\":\"bar\",\"data\":{\"labels\":[", f);
  for (uint32_t k = 0; k < n; k++) {
    if (k)
      fputc(',', f);
    psc__rep_json_str(f, st->id[rank[k].i]);
  }
  fputs("],\"datasets\":[{\"label\":\"utilisation %\",\"data\":[", f);
  for (uint32_t k = 0; k < n; k++) {
    if (k)
      fputc(',', f);
    psc__rep_json_num(f, rank[k].v);
  }
  fputs("],\"backgroundColor\":[", f);
  for (uint32_t k = 0; k < n; k++)
    fprintf(f, "%s\"%s\"", k ? "," : "",
            COLOURS[st->kind[rank[k].i] == PSC_SITE_DOOR_TO_DOOR ? 1 : 0]);
  fputs("]}]},\"options\":{\"plugins\":{\"legend\":{\"display\":false}},\"scales\":{\"y\":{"
        "\"min\":0}}}}",
        f);
  psc__rep_chart_end(f);
out:
  free(used);
  free(rank);
}

static void key_slack(FILE *f, const psc_plan_t *p) {
  const psc_communities_t *cm = psc_scenario_communities(psc_plan_scenario(p));
  keyed_t *rank = calloc(cm->count + 1, sizeof(keyed_t));
  uint32_t n = 0;
  if (!rank)
    return;
  for (uint32_t c = 0; c < cm->count; c++)
    if (cm->key[c] && psc_plan_community(p, c)->residents)
      rank[n++] = (keyed_t){psc_plan_community(p, c)->slack, c};
  qsort(rank, n, sizeof(keyed_t), by_v_asc);
  if (!n) {
    free(rank);
    return;
  }
  uint32_t shown = n > MAX_BARS ? MAX_BARS : n;
  psc__rep_chart_begin(f, "keyslack",
                       n > MAX_BARS ? "Key communities: slack to the deadline (hours), the 60 tightest"
                                    : "Key communities: slack to the deadline (hours)",
                       1100, 60 + 22 * (int)shown);
  fputs("{\"type\":\"bar\",\"data\":{\"labels\":[", f);
  char label[512];
  for (uint32_t k = 0; k < shown; k++) {
    snprintf(label, sizeof label, "%s %s", cm->id[rank[k].i], cm->name[rank[k].i]);
    if (k)
      fputc(',', f);
    psc__rep_json_str(f, label);
  }
  fputs("],\"datasets\":[{\"label\":\"slack (h)\",\"data\":[", f);
  for (uint32_t k = 0; k < shown; k++) {
    if (k)
      fputc(',', f);
    psc__rep_json_num(f, rank[k].v / 60);
  }
  fputs("],\"backgroundColor\":[", f);
  for (uint32_t k = 0; k < shown; k++)
    fprintf(f, "%s\"%s\"", k ? "," : "", rank[k].v < 0 ? "#e15759" : "#59a14f");
  fputs("]}]},\"options\":{\"indexAxis\":\"y\",\"plugins\":{\"legend\":{\"display\":false}}}}", f);
  psc__rep_chart_end(f);
  free(rank);
}

static void verdict_row(FILE *f, const char *level, const char *id, const char *name,
                        const psc_verdict_t *v) {
  char a[32];
  fprintf(f, "<tr data-level=\"%s\" data-id=\"", level);
  psc__rep_text(f, id);
  fputs("\"><td class=\"t\">", f);
  psc__rep_text(f, name);
  fputs("</td>", f);
  psc__rep_td_num(f, "residents", "%.0f", v->residents);
  psc__rep_td_num(f, "tubes", "%.0f", v->tubes);
  psc__rep_td_num(f, "sampling_start_min", "%.2f", v->sampling_start);
  psc__rep_td_num(f, "sampling_end_min", "%.2f", v->sampling_end);
  psc__rep_td_num(f, "complete_min", "%.2f", v->complete);
  fprintf(f, "<td>%s</td>", psc__rep_clock(a, sizeof a, v->complete));
  psc__rep_td_num(f, "deadline_min", "%.2f", v->deadline);
  psc__rep_td_num(f, "slack_min", "%.2f", v->slack);
  psc__rep_td_num(f, "bound_min", "%.2f", v->bound);
  fprintf(f, "<td data-col=\"met\" class=\"%s\">%s</td></tr>\n", v->met ? "met" : "miss",
          v->met ? "met" : v->infeasible ? "MISSED (infeasible)" : "MISSED");
}

static void verdict_table(FILE *f, const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_streets_t *sv = psc_scenario_streets(s);
  const uint32_t *order = psc_plan_street_order(p);
  fputs("<h2>Verdicts</h2>\n<table class=\"sortable\" id=\"verdicts\"><thead><tr>"
        "<th class=\"t\">unit</th><th>residents</th><th>tubes</th><th>sampling start "
        "(min)</th><th>sampling end (min)</th><th>complete (min)</th><th>complete</th>"
        "<th>deadline (min)</th><th>slack (min)</th><th>lower bound (min)</th><th>verdict</th>"
        "</tr></thead><tbody>\n",
        f);
  for (uint32_t k = 0; k < sv->count; k++)
    verdict_row(f, "street", sv->name[order[k]], sv->name[order[k]], psc_plan_street(p, order[k]));
  verdict_row(f, "district", psc_scenario_params(s)->name, "district", psc_plan_district(p));
  fputs("</tbody></table>\n", f);
}

static void facts(FILE *f, const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_params_t *par = psc_scenario_params(s);
  const psc_verdict_t *d = psc_plan_district(p);
  const psc_utilisation_t *u = psc_plan_utilisation(p);
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_streets_t *sv = psc_scenario_streets(s);
  uint32_t keys = 0, kmet = 0, smet = 0;
  for (uint32_t c = 0; c < cm->count; c++)
    if (cm->key[c] && psc_plan_community(p, c)->residents) {
      keys++;
      kmet += psc_plan_community(p, c)->met != 0;
    }
  for (uint32_t st = 0; st < sv->count; st++)
    smet += psc_plan_street(p, st)->met != 0;
  char a[32], b[32];
  double lbnd = psc_plan_lower_bound(p), util;
  const char *bn = psc__bottleneck(u, &util);
  fputs("<div class=\"facts\">", f);
  fprintf(f, "<div class=\"fact\">district<b class=\"%s\" id=\"district-complete\">%s</b>%s "
             "(deadline %s)</div>",
          d->met ? "met" : "miss", psc__rep_clock(a, sizeof a, d->complete),
          d->met ? "met" : "MISSED", psc__rep_clock(b, sizeof b, d->deadline));
  fprintf(f, "<div class=\"fact\">streets met<b>%u of %u</b>%g h each</div>", smet, sv->count,
          par->deadline_street_h);
  fprintf(f, "<div class=\"fact\">key communities met<b>%u of %u</b>%g h</div>", kmet, keys,
          par->deadline_key_h);
  fprintf(f, "<div class=\"fact\">residents<b>%u</b>in %u tubes</div>", d->residents,
          psc_plan_tubes(p)->count);
  fprintf(f, "<div class=\"fact\">capacity lower bound<b>%s</b>the plan is %.1f h above</div>",
          psc__rep_clock(a, sizeof a, lbnd), (d->complete - lbnd) / 60);
  fputs("</div>\n<h2>Bottleneck and advice</h2>\n<p>", f);
  fprintf(f, "The bottleneck is <b>%s</b>", bn);
  if (isfinite(util))
    fprintf(f, " (%.0f %% utilised to completion)", 100 * util);
  fprintf(f, ". Labs run at %.0f %% with plates %.0f %% full; sampling sites at %.0f %%; "
             "door-to-door teams at %.0f %%. A tube waits on average %.0f minutes for "
             "transport, travels %.0f, waits %.0f for a run and spends %.0f in the run and "
             "reporting.",
          100 * u->lab, 100 * u->lab_fill, 100 * u->sampling, 100 * u->door_to_door,
          u->wait_transport, u->travel, u->wait_lab, u->run_and_report);
  const psc_advice_t *adv = psc_plan_advice(p);
  if (adv->missed_before) {
    fputs(" <span id=\"advice\">", f);
    if (adv->found) {
      fputs("Fix: ", f);
      psc__rep_text(f, adv->what);
      fprintf(f, " &rarr; every deadline met, district complete %s.",
              psc__rep_clock(a, sizeof a, adv->district_after));
    } else if (adv->what[0]) {
      fputs("Best single addition: ", f);
      psc__rep_text(f, adv->what);
      fprintf(f, " &rarr; %u of %u missed deadlines left.", adv->missed_after, adv->missed_before);
    } else {
      fputs("No advice was searched (plan without advice).", f);
    }
    fputs("</span>", f);
  }
  fputs("</p>\n", f);
}

int psc_report_plan(const psc_plan_t *p, FILE *f) {
  if (!p || !f)
    return PSC_EINVAL;
  int rc = psc_plan_advice_wait(p); /* the plan and its advice */
  if (rc)
    return rc;
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_params_t *par = psc_scenario_params(s);
  char sub[512];
  snprintf(sub, sizeof sub, "plan of %s, T0 %s", psc_scenario_path(s), par->start);
  psc__rep_begin(f, "plan", par->name, sub);
  facts(f, p);
  verdict_table(f, p);
  fputs("<h2>Timeline</h2>\n", f);
  gantt(f, p);
  results_curve(f, p);
  fputs("<h2>Labs</h2>\n", f);
  lab_load(f, p);
  fputs("<h2>Sampling</h2>\n", f);
  site_util(f, p);
  key_slack(f, p);
  psc__rep_end(f);
  return 0;
}
