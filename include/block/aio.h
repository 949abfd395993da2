/*
 * The worker pool behind blk_aio_* (block/aio.c), shared with
 * block/block-backend.c only.
 */
#ifndef BLOCK_AIO_H
#define BLOCK_AIO_H

#include "block/block_int.h"

struct BlockAIOCB {
    BlockBackend *blk;
    int (*fn)(BlockAIOCB *acb);     /* runs on a worker thread */
    int64_t offset;
    int64_t bytes;                  /* discard */
    struct iovec *iov;
    int iovcnt;
    BlockCompletionFunc *cb;
    void *opaque;
    int ret;
};

/* Queues acb to a worker; the first call starts the pool. BQL held. */
void aio_submit(BlockAIOCB *acb);
/* Waits for blk's requests and runs their callbacks. BQL held. */
void aio_drain(BlockBackend *blk);
/* Provided by block-backend.c: runs acb's callback and frees it. */
void blk_aio_complete(BlockAIOCB *acb);

#endif
