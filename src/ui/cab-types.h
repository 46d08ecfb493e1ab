/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The UI classes other headers pass around, declared without their headers
 * (G_DECLARE_FINAL_TYPE repeats the same typedef, which C11 allows): a
 * header that only names a CabDesk does not pull in the desk and all it
 * includes. */
typedef struct _CabApplication CabApplication;
typedef struct _CabDesk        CabDesk;
typedef struct _CabFollowupPage CabFollowupPage;
typedef struct _CabInboxPage   CabInboxPage;
typedef struct _CabOutboxPage  CabOutboxPage;
typedef struct _CabWindow      CabWindow;

G_END_DECLS
