/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _OVSKVM_VERSION_H
#define _OVSKVM_VERSION_H

#define OVSKVM_VERSION "0.1.0"

#endif /* _OVSKVM_VERSION_H */
