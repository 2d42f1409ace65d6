/* Output sets: the files of one command appear in their folder all together
 * or not at all (docs/output.md, "One atomic set"). */
#ifndef POOLSCREEN_OUTPUT_H
#define POOLSCREEN_OUTPUT_H

#include <stddef.h>

#include "poolscreen/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One command's output folder while its files are being made. The files are
 * written into a staging folder beside the target, which is then swapped in
 * with one rename; a killed run leaves only that staging folder, which the
 * next run into the same place removes. */
typedef struct psc_outset psc_outset_t;

/* Prepares writing into dir: creates its parent folders when missing,
 * removes the leftovers of killed runs into dir, checks that dir is a folder
 * when it exists, and makes the staging folder — so a read-only place, a
 * path that is a file or a full disk is reported before a long computation.
 * *out is set (free it with psc_outset_free) unless the result is
 * PSC_ENOMEM; on PSC_EIO psc_outset_error() says which path and why.
 * Returns 0, PSC_EINVAL, PSC_EIO or PSC_ENOMEM. Not thread-safe for one
 * set; distinct sets are independent. */
PSC_API int psc_outset_open(const char *dir, psc_outset_t **out);

/* "PATH: reason" of the last failure (the system's strerror text where the
 * system gave one), or "" when nothing failed. Owned by the set. */
PSC_API const char *psc_outset_error(const psc_outset_t *set);

/* The target folder as given to psc_outset_open. Owned by the set. */
PSC_API const char *psc_outset_dir(const psc_outset_t *set);

/* Frees the set. When its files were never committed (the command failed)
 * the staging folder and the parent folders psc_outset_open made are
 * removed, so nothing is left behind. Accepts NULL. */
PSC_API void psc_outset_free(psc_outset_t *set);

/* Each command's whole output set written into set and swapped in (the
 * CLI opens the set before the long computation, so that a place it cannot
 * write is reported at once). The command's own file names in the folder
 * are replaced, or dropped when this run does not write them (e.g. the CSVs
 * of an older plan under --no-csv); every other entry is kept. A set is
 * committed once. Return 0, PSC_EIO / PSC_EHDF5 (psc_outset_error() says
 * which path and why; nothing of the new set is left), PSC_EINVAL or
 * PSC_ENOMEM. */
struct psc_plan;
struct psc_decode;
/* The plan's identity: 16 hex digits of a fingerprint of its scenario,
 * options and content, stored in plan.h5 (attribute plan_identity) and
 * every output made from it; its value modulo 10000 is the tag in every
 * tube id (docs/output.md). Returns the length like snprintf. */
PSC_API int psc_plan_identity(const struct psc_plan *p, char *buf, size_t size);
struct psc_sim;
/* plan.h5 and, with with_csv, the plan's CSVs (docs/output.md); threads as
 * for psc_plan_write_h5. */
PSC_API int psc_plan_write_to(const struct psc_plan *p, psc_outset_t *set, int with_csv,
                              int threads);
/* decode's outputs (docs/decode.md). */
PSC_API int psc_decode_write_to(const struct psc_decode *dc, psc_outset_t *set);
/* simulate's outputs (docs/simulate.md). */
PSC_API int psc_sim_write_to(const struct psc_sim *sim, psc_outset_t *set);

#ifdef __cplusplus
}
#endif
#endif
