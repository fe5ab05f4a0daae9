/* SPDX-License-Identifier: MIT */
/* Names of action types and reasons, as they appear in logs, --dry-run output, records and the socket. */
#include <string.h>

#include "core/action.h"

static const char *const action_type_table[_HR_ACTION_TYPE_MAX] = {
        [HR_ACTION_FREEZE] = "freeze",
        [HR_ACTION_THAW] = "thaw",
        [HR_ACTION_TERMINATE] = "terminate",
        [HR_ACTION_KILL] = "kill",
        [HR_ACTION_CHECKPOINT] = "checkpoint",
        [HR_ACTION_RESTORE] = "restore",
        [HR_ACTION_WARN] = "warn",
        [HR_ACTION_SPARE] = "spare",
        [HR_ACTION_PAGE_OUT] = "page-out",
};

static const char *const reason_table[_HR_REASON_MAX] = {
        [HR_REASON_PSI_SOME] = "psi_some",
        [HR_REASON_PSI_FULL] = "psi_full",
        [HR_REASON_SWAP] = "swap",
        [HR_REASON_REFAULT] = "refault",
        [HR_REASON_MEM_AVAILABLE] = "mem_available",
        [HR_REASON_RUNAWAY] = "runaway",
        [HR_REASON_RECOVERY] = "recovery",
        [HR_REASON_GONE] = "gone",
        [HR_REASON_SPIKE] = "spike",
};

const char *hr_action_type_to_string(HrActionType t) {
        return (unsigned) t < _HR_ACTION_TYPE_MAX ? action_type_table[t] : NULL;
}

HrActionType hr_action_type_from_string(const char *s) {
        for (unsigned i = 0; s && i < _HR_ACTION_TYPE_MAX; i++)
                if (strcmp(s, action_type_table[i]) == 0)
                        return (HrActionType) i;
        return _HR_ACTION_TYPE_INVALID;
}

const char *hr_reason_to_string(HrReason r) {
        return (unsigned) r < _HR_REASON_MAX ? reason_table[r] : NULL;
}

HrReason hr_reason_from_string(const char *s) {
        for (unsigned i = 0; s && i < _HR_REASON_MAX; i++)
                if (strcmp(s, reason_table[i]) == 0)
                        return (HrReason) i;
        return _HR_REASON_INVALID;
}

HrReason hr_reason_of_component(HrComponent c) {
        switch (c) {
        case HR_COMP_PSI_SOME:
                return HR_REASON_PSI_SOME;
        case HR_COMP_PSI_FULL:
                return HR_REASON_PSI_FULL;
        case HR_COMP_SWAP_FILL:
        case HR_COMP_SWAP_IO:
                return HR_REASON_SWAP;
        case HR_COMP_REFAULT:
                return HR_REASON_REFAULT;
        default:
                return HR_REASON_MEM_AVAILABLE;
        }
}
