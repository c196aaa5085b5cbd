// SPDX-License-Identifier: MIT
/*
 * The app's console: the boot room's console interface (boot/console.h) over UEFI (the lines
 * themselves are boot/log.c's), so the shared files (gate.c, target.c) print the same lines
 * here as in the loader. Every line goes to ConOut (the screen, and on most servers the serial
 * console too) and, if ConOut does not already reach a UART, to the first EFI serial port as
 * well, so that a serial log always has it once.
 * Lines start with EFI_LOG_PREFIX.
 */
#include <string.h>
#include "../boot/console.h"
#include "lugate-efi.h"

const char log_prefix[] = EFI_LOG_PREFIX;

#define CHUNK 128u                 /* CHAR16 conversion buffer, in characters */
#define DP_MESSAGING 0x03u
#define DP_MSG_UART 0x0eu
#define DP_END 0x7fu

/* Console state: the app is single-threaded and runs once. */
static SIMPLE_TEXT_OUTPUT_INTERFACE *con_out;
static EFI_SERIAL_IO_PROTOCOL *serial_out;
static const char *console_kind = "no console";

/* Does this (multi-instance) device path contain a UART node? Bounded by its own size. */
static bool path_has_uart(const uint8_t *p, UINTN size)
{
	UINTN off = 0;

	while (off + 4 <= size) {
		uint16_t len = (uint16_t)(p[off + 2] | p[off + 3] << 8);

		if (p[off] == DP_MESSAGING && p[off + 1] == DP_MSG_UART)
			return true;
		if (len < 4)
			return false;
		off += len;
	}
	return false;
}

void efi_console_init(EFI_SYSTEM_TABLE *st)
{
	UINTN size = 0;
	uint8_t *conout_var;
	bool conout_uart;

	con_out = st->ConOut;
	conout_var = LibGetVariableAndSize(L"ConOut", &gEfiGlobalVariableGuid, &size);
	conout_uart = conout_var && path_has_uart(conout_var, size);
	if (conout_var)
		FreePool(conout_var);
	if (!conout_uart && LibLocateProtocol(&SerialIoProtocol, (void **)&serial_out) != EFI_SUCCESS)
		serial_out = NULL;
	if (con_out && conout_uart)
		console_kind = "ConOut (which reaches the serial port)";
	else if (con_out && serial_out)
		console_kind = "ConOut and the first serial port";
	else if (con_out)
		console_kind = "ConOut (no serial port found)";
	else if (serial_out)
		console_kind = "the first serial port (no ConOut)";
}

const char *efi_console_describe(void)
{
	return console_kind;
}

static void conout_write(const char *s, size_t n)
{
	CHAR16 buf[CHUNK + 2];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			buf[k++] = L'\r';
		buf[k++] = (c == '\n' || (c >= 0x20 && c < 0x7f)) ? (CHAR16)c : L'?';
		if (k >= CHUNK || i + 1 == n) {
			buf[k] = 0;
			uefi_call_wrapper(con_out->OutputString, 2, con_out, buf);
			k = 0;
		}
	}
}

static void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		UINTN one = 1;

		if (s[i] == '\n') {
			UINTN cr = 1;
			uefi_call_wrapper(serial_out->Write, 3, serial_out, &cr, (void *)"\r");
		}
		uefi_call_wrapper(serial_out->Write, 3, serial_out, &one, (void *)(s + i));
	}
}

void console_write(const char *s, size_t n)
{
	if (con_out)
		conout_write(s, n);
	if (serial_out)
		serial_write(s, n);
}

const char *efi_status_text(EFI_STATUS s)
{
	switch (s) {
	case EFI_SUCCESS: return "Success";
	case EFI_LOAD_ERROR: return "Load Error";
	case EFI_INVALID_PARAMETER: return "Invalid Parameter";
	case EFI_UNSUPPORTED: return "Unsupported";
	case EFI_BAD_BUFFER_SIZE: return "Bad Buffer Size";
	case EFI_BUFFER_TOO_SMALL: return "Buffer Too Small";
	case EFI_DEVICE_ERROR: return "Device Error";
	case EFI_OUT_OF_RESOURCES: return "Out of Resources";
	case EFI_VOLUME_CORRUPTED: return "Volume Corrupt";
	case EFI_NO_MEDIA: return "No Media";
	case EFI_NOT_FOUND: return "Not Found";
	case EFI_ACCESS_DENIED: return "Access Denied";
	case EFI_ABORTED: return "Aborted";
	case EFI_SECURITY_VIOLATION: return "Security Violation";
	default: return "error";
	}
}
