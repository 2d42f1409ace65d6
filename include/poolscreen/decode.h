/* Decoding lab results: temporary control, individual retests scheduled on
 * door-to-door teams, reruns and pending tubes; then, with the retest
 * results, confirmed positives and releases. */
#ifndef POOLSCREEN_DECODE_H
#define POOLSCREEN_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "poolscreen/error.h"
#include "poolscreen/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psc_decode psc_decode_t;

/* Counts a decode reports. Round 1 fills the first group, round 2 (retest
 * results against a decode file) the second. */
typedef struct {
  int round;
  /* round 1 */
  uint32_t tubes, positive_tubes, negative_tubes, invalid_tubes, pending_tubes;
  uint32_t under_control, retests;
  uint32_t units_met_before, units_met_after, units; /* key communities, streets, district */
  double district_complete_before, district_complete_after;
  /* round 2 */
  uint32_t confirmed, released, retests_pending, retests_invalid, household_members,
      pools_all_negative;
  uint32_t pools_invalid, pools_pending; /* round 1's pool tubes still unresolved, carried
                                            forward into rerun.csv and pending.csv */
  char start[32]; /* round 1: the plan's T0 ("YYYY-MM-DD HH:MM", local), for clock times */
} psc_decode_summary_t;

/* Decodes results_csv against plan_h5 (a plan.h5 from `poolscreen plan`:
 * round 1) or against a decode.h5 from round 1 (round 2, retest results).
 * Problems with the results file go to diags, each at FILE:LINE:COLUMN:
 * unknown tube ids, duplicate rows, contradictory results, unknown result
 * words (positive/negative/invalid in any case, or 阳性/阴性/无效),
 * non-numeric ct, ids a spreadsheet rewrote in scientific notation, results
 * of another plan, and a file that does not exist ("no such file"). Returns 0
 * and a new decode, PSC_EINPUT (diags holds errors; nothing to write), PSC_EIO /
 * PSC_EHDF5 for an unreadable plan (reported in diags), or PSC_ENOMEM.
 * Its HDF5 reads run under the library's HDF5 lock (see poolscreen.h). */
PSC_API int psc_decode_run(const char *plan_h5, const char *results_csv, psc_diags_t *diags,
                           psc_decode_t **out);
/* Writes the outputs to outdir (see docs/decode.md): round 1 control.csv,
 * retests.csv, rerun.csv, pending.csv; round 2 confirmed.csv, released.csv,
 * households.csv, rerun.csv, pending.csv (with round 1's invalid and pending
 * pool tubes carried forward); decode.h5, a copy of the input HDF5 file with
 * a `decode` (round 1) or `confirm` (round 2) group; and decode_round.txt,
 * the round and plan. All written under temporary names and renamed
 * together. Returns 0, PSC_EINPUT when outdir holds another round's or
 * plan's outputs (see psc_decode_write_round), or PSC_EIO / PSC_EHDF5. Its
 * HDF5 part runs under the library's HDF5 lock (poolscreen.h). */
PSC_API int psc_decode_write(const psc_decode_t *dc, const char *outdir);
/* psc_decode_write, where outdir is this round's own folder: it is marked
 * (decode_round.txt: round and plan). A folder holding another round's
 * outputs, another plan's, or decode outputs without a mark is refused
 * with PSC_EINPUT (an error in diags, when not NULL; nothing written)
 * unless replace is 1, when the set replaces them and the other round's
 * own files are removed. psc_decode_write(dc, d) is
 * psc_decode_write_round(dc, d, 0, NULL). */
PSC_API int psc_decode_write_round(const psc_decode_t *dc, const char *outdir, int replace,
                                   psc_diags_t *diags);
/* The same into an output set (poolscreen/output.h) opened on the round's
 * folder: the check, then psc_decode_write_to. */
struct psc_outset;
PSC_API int psc_decode_write_round_to(const psc_decode_t *dc, struct psc_outset *set,
                                      int replace, psc_diags_t *diags);
PSC_API const psc_decode_summary_t *psc_decode_summary(const psc_decode_t *dc);
PSC_API void psc_decode_free(psc_decode_t *dc);

/* The A2 rule of Kim et al. (2007) on an r x r array: given which rows and
 * columns tested positive, marks retest[i * r + j] = 1 for every individual
 * to retest (row and column positive; or row positive and no column; or
 * column positive and no row). Returns how many. */
PSC_API uint32_t psc_a2_retest(uint32_t r, const uint8_t *row_pos, const uint8_t *col_pos,
                               uint8_t *retest);

#ifdef __cplusplus
}
#endif
#endif
