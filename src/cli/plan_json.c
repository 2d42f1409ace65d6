/* `poolscreen plan --json`: the plan's verdicts, lower bound, bottleneck and
 * advice as one JSON object, built with jansson from the public plan API.
 * Add a field by adding it to the object one of these functions builds. */
#include <jansson.h>
#include <math.h>

#include "cli.h"

const char *cli_plan_bottleneck(const psc_plan_t *p) {
  const psc_utilisation_t *u = psc_plan_utilisation(p);
  if (u->travel > u->wait_lab && u->travel > u->run_and_report)
    return "transport";
  return u->lab >= u->sampling && u->lab >= u->door_to_door ? "labs"
         : u->sampling >= u->door_to_door                 ? "sampling"
                                                           : "door-to-door teams";
}

/* A time or a length in minutes; null where it is not finite (a unit
 * without residents). */
static json_t *minutes(double m) { return isfinite(m) ? json_real(m) : json_null(); }

static json_t *verdict(const psc_verdict_t *v) {
  return json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:b}", "residents",
                   (json_int_t)v->residents, "tubes", (json_int_t)v->tubes, "exceptions",
                   (json_int_t)v->exceptions, "sampling_start_min", minutes(v->sampling_start),
                   "sampling_end_min", minutes(v->sampling_end), "complete_min",
                   minutes(v->complete), "deadline_min", minutes(v->deadline), "slack_min",
                   minutes(v->slack), "met", v->met, "bound_min", minutes(v->bound),
                   "infeasible", v->infeasible);
}

/* Adds fields to a verdict object (which it returns; NULL stays NULL). */
static json_t *with(json_t *o, const char *key, json_t *value) {
  if (o && json_object_set_new(o, key, value)) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *streets(const psc_plan_t *p) {
  const psc_streets_t *sv = psc_scenario_streets(psc_plan_scenario(p));
  const uint32_t *order = psc_plan_street_order(p);
  json_t *a = json_array();
  for (uint32_t k = 0; a && k < sv->count; k++) {
    uint32_t st = order[k];
    json_t *o = with(with(verdict(psc_plan_street(p, st)), "name", json_string(sv->name[st])),
                     "wave", json_integer(k + 1));
    if (!o || json_array_append_new(a, o)) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static json_t *key_communities(const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_streets_t *sv = psc_scenario_streets(s);
  json_t *a = json_array();
  for (uint32_t i = 0; a && i < cm->count; i++) {
    if (!cm->key[i])
      continue;
    json_t *o = with(with(with(verdict(psc_plan_community(p, i)), "id", json_string(cm->id[i])),
                          "name", json_string(cm->name[i])),
                     "street", json_string(sv->name[cm->street[i]]));
    if (!o || json_array_append_new(a, o)) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static json_t *bottleneck(const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_sites_t *st = psc_scenario_sites(s);
  const psc_labs_t *lb = psc_scenario_labs(s);
  const psc_utilisation_t *u = psc_plan_utilisation(p);
  return json_pack(
      "{s:s, s:{s:f, s:f, s:f, s:f, s:s?, s:f, s:s?, s:f}, s:{s:f, s:f, s:f, s:f}}", "resource",
      cli_plan_bottleneck(p), "utilisation", "labs", u->lab, "plates_full", u->lab_fill,
      "sampling", u->sampling, "door_to_door", u->door_to_door, "busiest_lab",
      u->busiest_lab < lb->count ? lb->id[u->busiest_lab] : NULL, "busiest_lab_utilisation",
      u->busiest_lab_util, "busiest_site",
      u->busiest_site < st->count ? st->id[u->busiest_site] : NULL, "busiest_site_utilisation",
      u->busiest_site_util, "mean_minutes_per_tube", "waiting_for_transport", u->wait_transport,
      "travelling", u->travel, "waiting_for_a_run", u->wait_lab, "run_and_report",
      u->run_and_report);
}

static const char *addition_kind(psc_addition_kind_t k) {
  static const char *n[] = {"instrument", "booth", "team", "lab_hour", "site_hour"};
  return (unsigned)k < 5 ? n[k] : "?";
}

/* null when every deadline is met or no advice was searched */
static json_t *advice(const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_labs_t *lb = psc_scenario_labs(s);
  const psc_sites_t *st = psc_scenario_sites(s);
  const psc_advice_t *a = psc_plan_advice(p);
  if (!a->needed)
    return json_null();
  json_t *items = json_array();
  for (uint32_t k = 0; items && k < a->count; k++) {
    const psc_addition_t *it = &a->items[k];
    int lab = it->kind == PSC_ADD_INSTRUMENT || it->kind == PSC_ADD_LAB_HOUR;
    json_t *o = json_pack("{s:s, s:s, s:I, s:f}", "kind", addition_kind(it->kind), "at",
                          lab ? lb->id[it->index] : st->id[it->index], "count",
                          (json_int_t)it->count, "cost", it->cost);
    if (!o || json_array_append_new(items, o)) {
      json_decref(items);
      return NULL;
    }
  }
  return json_pack("{s:b, s:o, s:f, s:s, s:I, s:I, s:I, s:o, s:o}", "found", a->found,
                   "additions", items, "cost", a->cost, "what", a->what, "plans_searched",
                   (json_int_t)a->plans, "missed_before", (json_int_t)a->missed_before,
                   "missed_after", (json_int_t)a->missed_after, "district_complete_before_min",
                   minutes(a->district_before), "district_complete_after_min",
                   minutes(a->district_after));
}

int cli_plan_json(FILE *out, const psc_plan_t *p, int margin_fixed) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_params_t *par = psc_scenario_params(s);
  json_t *o = json_pack(
      "{s:s, s:{s:s, s:s, s:b, s:s}, s:f, s:s, s:f, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:I, "
      "s:o, s:I}",
      "poolscreen_version", psc_version(), "scenario", "name", par->name, "path",
      psc_scenario_path(s), "embedded", psc_scenario_is_embedded(s), "start", par->start,
      "margin_hours", psc_plan_margin_hours(p), "margin", margin_fixed ? "given" : "searched",
      "hold", psc_plan_hold(p), "align_end_min",
      psc_plan_align_end(p) > 0 ? minutes(psc_plan_align_end(p)) : json_null(), "partner_street",
      psc_plan_partner(p) != UINT32_MAX
          ? json_string(psc_scenario_streets(s)->name[psc_plan_partner(p)])
          : json_null(),
      "run_start",
      par->run_start,
      "district", verdict(psc_plan_district(p)), "streets", streets(p), "key_communities",
      key_communities(p), "lower_bound_min", minutes(psc_plan_lower_bound(p)), "bottleneck",
      bottleneck(p), "aged_tubes", (json_int_t)psc_plan_aged_tubes(p), "advice", advice(p),
      "missed", (json_int_t)cli_plan_missed(p));
  if (!o)
    return -1;
  int rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
  json_decref(o);
  if (rc)
    return -1;
  fputc('\n', out);
  return 0;
}
