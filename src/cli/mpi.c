/* poolscreen batch and simulate under MPI (built when CMake finds MPI):
 * each rank computes its share of the items — variants or replicates, item
 * i on rank i % ranks — and rank 0 gathers every item as a record of
 * doubles and writes the outputs, byte-identical to one process. */
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

int cli_mpi_gather(uint32_t n, size_t rs, cli_record_fn get, cli_record_put_fn put, void *ctx,
                   int rank, int size) {
  int rc = 0;
  if (rank != 0) {
    uint32_t mine = 0;
    for (uint32_t i = (uint32_t)rank; i < n; i += (uint32_t)size)
      mine++;
    double *buf = calloc((mine ? mine : 1) * rs, sizeof(double));
    uint32_t k = 0;
    for (uint32_t i = (uint32_t)rank; buf && !rc && i < n; i += (uint32_t)size)
      rc = get(ctx, i, buf + (size_t)k++ * rs);
    /* a failure still sends (nothing), so rank 0 does not wait forever */
    MPI_Send(buf, buf && !rc ? (int)(mine * rs) : 0, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD);
    if (!buf)
      return PSC_ENOMEM;
    free(buf);
    return rc;
  }
  for (int r = 1; r < size; r++) {
    uint32_t theirs = 0;
    for (uint32_t i = (uint32_t)r; i < n; i += (uint32_t)size)
      theirs++;
    double *buf = malloc((theirs ? theirs : 1) * rs * sizeof(double));
    MPI_Status st;
    int got = 0;
    MPI_Recv(buf, buf ? (int)(theirs * rs) : 0, MPI_DOUBLE, r, 1, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_DOUBLE, &got);
    if (!buf || (size_t)got != theirs * rs)
      rc = rc ? rc : PSC_ENOMEM;
    uint32_t k = 0;
    for (uint32_t i = (uint32_t)r; !rc && i < n; i += (uint32_t)size)
      rc = put(ctx, i, buf + (size_t)k++ * rs);
    free(buf);
  }
  return rc;
}

int cli_mpi_share(int value) {
  MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return value;
}

void cli_mpi_stop(void) { MPI_Finalize(); }
