/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CAB_TYPE_READ_AHEAD_STREAM (cab_read_ahead_stream_get_type ())
G_DECLARE_FINAL_TYPE (CabReadAheadStream, cab_read_ahead_stream, CAB, READ_AHEAD_STREAM, GInputStream)

/* A pollable input stream over @base (a socket's) that reads up to @size
 * bytes per read and hands them out from its buffer. */
GInputStream *cab_read_ahead_stream_new (GInputStream *base,
                                         gsize         size);

G_END_DECLS
