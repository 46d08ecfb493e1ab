/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-outbox.h"
#include "cabinetctl-private.h"

G_BEGIN_DECLS

/* The outbox over the context's store (and its client when @with_client and
 * a server is configured); NULL with a message and *@exit_code on failure. */
CabOutbox *ctl_outbox_new     (CtlContext  *ctx,
                               gboolean     with_client,
                               int         *exit_code);
/* Drains; TRUE with @result filled, else a message printed and *@exit_code set. */
gboolean   ctl_outbox_drain   (CabOutbox            *outbox,
                               CabOutboxDrainResult *result,
                               int                  *exit_code);

int        ctl_outbox_main    (CtlContext *ctx, int argc, char **argv);
int        ctl_publish_main   (CtlContext *ctx, int argc, char **argv);
int        ctl_prescribe_main (CtlContext *ctx, int argc, char **argv);

G_END_DECLS
