/* The decoder's private state (src/decode/). */
#ifndef POOLSCREEN_DECODE_INTERNAL_H
#define POOLSCREEN_DECODE_INTERNAL_H

#include "internal.h"
#include "poolscreen/decode.h"
#include "io/h5_read.h"
#include "plan/plan_internal.h"

/* What decode needs of a plan, read back from plan.h5. */
typedef struct {
  char identity[17]; /* the plan's identity (16 hex digits) */
  uint32_t tag;      /* its tube-id tag: identity % 10000 */
  char start[32];    /* the scenario's start (T0), for clock times */
  long long date_code, t0_clock;
  double report_min, handover_min, speed_kmh;
  uint32_t ntubes, nres, nhh, ncomm, nstreets, nsites, nlabs, nruns;
  psc__strcol_t tube_id, comm_id, street_name, site_id, lab_id;
  uint32_t *tube_comm, *tube_lab, *res_hh, *res_comm, *comm_street, *site_street, *site_booths,
      *lab_inst, *lab_wells, *lab_run_min, *run_lab, *run_tubes;
  int32_t *res_tube, *site_open, *site_close, *lab_open, *lab_close;
  uint8_t *tube_stream, *tube_kind, *comm_key, *site_kind;
  int32_t *tube_array; /* the tube's array, -1 for a pooled tube */
  double *tube_reported, *site_rate, *site_x, *site_y, *lab_x, *lab_y, *comm_x, *comm_y;
  double *run_start, *run_end;
  double *comm_complete, *comm_deadline, *street_complete, *street_deadline;
  double district_complete, district_deadline;
  double *site_busy_until; /* end of the site's last plan session */
  /* the lab model, to replay the plan's lab schedule with the retests
   * (round 1 only) */
  uint32_t *tube_run, *run_inst, *near_lab; /* near_lab: PSC__NEAR_LABS per site */
  double *tube_arrived, *near_lab_min;
  double hold;
  int run_start_planned;
  /* how many residents each tube holds (offsets: tube t's are the
   * member_first[t]..member_first[t + 1]-th in residents/tube order) */
  uint32_t *member_first;
  /* round 1's decisions, when the input is a decode file */
  int has_decode;
  uint32_t nretests;
  uint32_t *rt_res, *rt_pool_tube, *rt_lab;
  uint8_t *pool_result; /* round 1's result of each plan tube (RES_*) */
  psc__strcol_t rt_tube_id;
} psc__plan_view_t;

/* What to run beside the rest of a load: start is called once the tube ids
 * (of the ids' width), the plan's identity and its tube date code are read
 * and checked, in round 1 only, with the view so far (copy what is needed;
 * its columns read so far stay unchanged and allocated until wait); wait is
 * called before the load returns, whatever the outcome, when start was. */
typedef struct {
  void (*start)(void *ctx, const psc__plan_view_t *v);
  void (*wait)(void *ctx);
  void *ctx;
} psc__view_hook_t;
/* Reads and checks what decode needs of a plan (or round-1 decode) file;
 * hook may be NULL. 0, or PSC_EINPUT with the problems in d. */
int psc__plan_view_load(const char *path, psc__plan_view_t *v, psc_diags_t *d,
                        const psc__view_hook_t *hook);
void psc__plan_view_free(psc__plan_view_t *v);
/* The community of resident i: its tube's, or (round 2, which reads every
 * resident's) its own. */
static inline uint32_t psc__res_comm(const psc__plan_view_t *v, uint32_t i) {
  if (v->res_comm)
    return v->res_comm[i];
  return v->tube_comm[v->res_tube[i]];
}
/* The ids of residents res[0..n) and of their households, read from the
 * plan file only for those rows (25 million ids are not read to list a few
 * thousand). */
int psc__plan_view_names(const char *path, const psc__plan_view_t *v, const uint32_t *res,
                         uint32_t n, psc__strcol_t *res_ids, psc__strcol_t *hh_ids,
                         uint32_t **hh);

enum { RES_NONE = 0, RES_POSITIVE = 1, RES_NEGATIVE = 2, RES_INVALID = 3 };

struct psc_decode {
  char *input; /* the HDF5 file decoded against */
  psc__plan_view_t v;
  psc_decode_summary_t sum;
  uint8_t *result;  /* per tube (round 1) or per retest (round 2): RES_* */
  double *ct;       /* per tube / retest, NAN when not given */
  /* round 1 */
  uint32_t ncontrol, *control_res; /* residents under control (members of positive tubes) */
  double *rt_start, *rt_end, *rt_result;
  uint32_t *rt_team, *rt_lab; /* retest k is control_res[k] */
  double *comm_after, *street_after;
  psc__replay_out_t replay; /* the plan's lab schedule with the retests */
  /* round 2 */
  uint8_t *pool_all_negative; /* per pool tube: positive, every member negative */
  uint8_t *hh_confirmed;      /* per household: holds a confirmed positive */
  uint32_t nmembers, *members; /* residents of confirmed positives' households */
  /* ids of the residents listed: round 1 control_res[k]; round 2 the
   * retests' residents, then members[] */
  psc__strcol_t names_res, names_hh, members_res, members_hh;
};

/* src/decode/results.c: results.csv into result[] / ct[] by row of ids;
 * the row of a tube id is its sequence number less seq_base. */
int psc__read_results(const char *path, const psc__strcol_t *ids, uint32_t seq_base,
                      const psc__plan_view_t *v, uint8_t *result, double *ct, psc_diags_t *d);

/* src/decode/decode_out.c: the round's whole set into outdir, unchecked */
int psc__decode_write_set(const psc_decode_t *dc, const char *outdir);
/* src/decode/rounds.c: the round folder's mark (decode_round.txt) */
int psc__w_round_mark(const void *ctx, FILE *f);

#endif
