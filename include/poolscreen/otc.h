/* Operating characteristics of pooling designs and the optimal design:
 * two- and three-stage hierarchical (D2, D3) and square arrays without and
 * with a master pool (A2, A2M), with test error that may differ by stage
 * (Kim, Hudgens, Dreyfuss, Westreich and Pilcher, Biometrics 63, 2007). */
#ifndef POOLSCREEN_OTC_H
#define POOLSCREEN_OTC_H

#include <stddef.h>
#include <stdint.h>

#include "poolscreen/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PSC_D2 = 0, PSC_D3 = 1, PSC_A2 = 2, PSC_A2M = 3, PSC_ALGORITHMS = 4 } psc_algorithm_t;

#define PSC_MAX_PARTS 64

/* A design. D2: a pool of k. D3: a pool of k split into parts[0..nparts)
 * (sizes summing to k, at least 2 parts; a part of 1 is an individual tested
 * at stage 2). A2, A2M: a k x k array. */
typedef struct {
  psc_algorithm_t alg;
  uint32_t k;
  uint32_t nparts;
  uint32_t parts[PSC_MAX_PARTS];
} psc_design_t;

/* Test accuracy at each stage (index 0 = first test). Stages a design does
 * not have are ignored. D2: pool, individual. D3: pool, sub-pool,
 * individual. A2: row/column, individual. A2M: master pool, row/column,
 * individual. */
typedef struct {
  double se[3], sp[3];
} psc_accuracy_t;

/* Per-person operating characteristics. */
typedef struct {
  double tests_per_person, pse, psp, ppv, npv;
} psc_opchar_t;

/* How A2M's expected tests are counted: exactly (default), or as the R
 * package binGroup2 (opChar1) reports it, which adds its master-pool terms
 * per array to an A2 term per person (see docs/otc.md). Accuracy measures
 * are the same either way. */
typedef enum { PSC_A2M_EXACT = 0, PSC_A2M_BINGROUP2 = 1 } psc_a2m_count_t;

/* Operating characteristics of design d at prevalence p (0 < p < 1).
 * Returns 0, or PSC_EINVAL for an invalid design, prevalence or accuracy.
 * Pure and thread-safe. */
PSC_API int psc_otc_eval(const psc_design_t *d, double p, const psc_accuracy_t *acc,
                         psc_a2m_count_t a2m, psc_opchar_t *out);

/* Parses a design written as in `poolscreen otc --design`: "D2:10",
 * "D3:12/4" (equal sub-pools of 4; a remainder forms a smaller last part),
 * "D3:12/5+5+2", "A2:10", "A2M:10". Returns 0 or PSC_EINPUT with a message
 * in err. */
PSC_API int psc_design_parse(const char *text, psc_design_t *d, char *err, size_t err_size);
/* Writes d as the parser reads it ("D3:12/4" when the parts are equal).
 * Returns the length like snprintf. */
PSC_API int psc_design_format(const psc_design_t *d, char *buf, size_t size);

/* One ranked configuration. */
typedef struct {
  psc_design_t design;
  psc_opchar_t oc;
} psc_ranked_t;

/* The dilution model: positives' cycle thresholds are Normal(ct_mean,
 * ct_sd); pooling k swabs shifts a positive's Ct by log2(k); a test detects
 * it when the shifted Ct is at most lod. Off when enabled is 0. */
typedef struct {
  int enabled;
  double ct_mean, ct_sd, lod;
} psc_dilution_t;

/* The accuracy design d has at each stage once dilution is applied to the
 * base accuracy: every stage's sensitivity becomes psc_dilution_se() for the
 * size of the group tested at that stage (for D3, its largest sub-pool).
 * With dilution off, *out = *base. */
PSC_API void psc_design_accuracy(const psc_design_t *d, const psc_accuracy_t *base,
                                 const psc_dilution_t *dil, psc_accuracy_t *out);

/* Searches every configuration of the algorithms in alg_mask (bit 1 << alg)
 * with sizes kmin..kmax (pool size for D2/D3, every partition of it into
 * sub-pools for D3, row length for A2/A2M), with dil applied to each (NULL:
 * none), and keeps the `max` with the
 * fewest expected tests per person, best first, in out[]; *n gets how many.
 * Returns 0 or PSC_EINVAL. Thread-safe. */
PSC_API int psc_otc_search(uint32_t alg_mask, uint32_t kmin, uint32_t kmax, double p,
                           const psc_accuracy_t *acc, const psc_dilution_t *dil,
                           psc_a2m_count_t a2m, psc_ranked_t *out, size_t max, size_t *n);

/* The best Dorfman pool size in kmin..kmax (1 = individual testing, whose
 * cost is one test per person, also competes when kmin is 1). */
PSC_API uint32_t psc_otc_best_dorfman(double p, const psc_accuracy_t *acc, uint32_t kmin,
                                      uint32_t kmax);

/* The counting bound: no scheme uses fewer than H(p) tests per person. */
PSC_API double psc_entropy_bound(double p);

/* Dilution: sensitivity of a pool of k holding one positive, when positives'
 * cycle thresholds are Normal(ct_mean, ct_sd), pooling shifts Ct by log2(k)
 * and a sample is detected when its Ct is at most lod; se is the assay's
 * sensitivity for other causes of failure. k = 1 gives the individual test. */
PSC_API double psc_dilution_se(double se, uint32_t k, double ct_mean, double ct_sd, double lod);

#ifdef __cplusplus
}
#endif
#endif
