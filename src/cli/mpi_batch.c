/* poolscreen batch under MPI (built when CMake finds MPI): each rank plans
 * its share of the variants (v % ranks == rank), rank 0 gathers every
 * result as records and writes the outputs, byte-identical to one process. */
#include <mpi.h>
#include <stdlib.h>

#include "cli.h"

int cli_mpi_start(int *argc, char ***argv, int *rank, int *size) {
  *rank = 0;
  *size = 1;
  /* only under a launcher: a plain run stays a plain process */
  if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK"))
    return 0;
  if (MPI_Init(argc, argv) != MPI_SUCCESS)
    return -1;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return 1;
}

int cli_mpi_worst(int err) {
  /* error codes are negative: the smallest is the one to report */
  int worst = err;
  MPI_Allreduce(&err, &worst, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return worst;
}

long cli_mpi_total(long n) {
  long sum = n;
  MPI_Allreduce(&n, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

int cli_mpi_gather(psc_batch_t *b, int rank, int size) {
  uint32_t n = psc_batch_variants(b);
  size_t rs = psc_batch_record_size(b);
  int rc = 0;
  if (rank != 0) {
    uint32_t mine = 0;
    for (uint32_t v = (uint32_t)rank; v < n; v += (uint32_t)size)
      mine++;
    double *buf = malloc((mine ? mine : 1) * rs * sizeof(double));
    uint32_t k = 0;
    for (uint32_t v = (uint32_t)rank; buf && v < n; v += (uint32_t)size)
      rc |= psc_batch_record_get(b, v, buf + (size_t)k++ * rs);
    /* a failed allocation still sends, so rank 0 does not wait forever */
    MPI_Send(buf, buf ? (int)(mine * rs) : 0, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD);
    free(buf);
    return rc || !buf ? PSC_ENOMEM : 0;
  }
  for (int r = 1; r < size; r++) {
    uint32_t theirs = 0;
    for (uint32_t v = (uint32_t)r; v < n; v += (uint32_t)size)
      theirs++;
    double *buf = malloc((theirs ? theirs : 1) * rs * sizeof(double));
    MPI_Status st;
    int got = 0;
    if (!buf) {
      MPI_Recv(NULL, 0, MPI_DOUBLE, r, 1, MPI_COMM_WORLD, &st);
      rc = PSC_ENOMEM;
      continue;
    }
    MPI_Recv(buf, (int)(theirs * rs), MPI_DOUBLE, r, 1, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_DOUBLE, &got);
    if ((size_t)got != theirs * rs)
      rc = PSC_ENOMEM;
    uint32_t k = 0;
    for (uint32_t v = (uint32_t)r; !rc && v < n; v += (uint32_t)size)
      rc = psc_batch_record_put(b, v, buf + (size_t)k++ * rs);
    free(buf);
  }
  return rc;
}

int cli_mpi_share(int value) {
  MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return value;
}

void cli_mpi_stop(void) { MPI_Finalize(); }
