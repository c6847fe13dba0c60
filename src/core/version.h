/* vm's version, as `vm-cli --version` prints it and the PC board's SMBIOS tables report
 * it (BIOS and system version, and the BIOS release date in SMBIOS's MM/DD/YYYY form). */
#ifndef VM_CORE_VERSION_H
#define VM_CORE_VERSION_H

#define VM_VERSION "0.1.0"
#define VM_RELEASE_DATE "11/29/2026"

#endif
