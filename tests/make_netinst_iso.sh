#!/usr/bin/env bash
# Build an ISO in the layout of Debian's amd64 netinst image from the netboot installer
# files, with xorriso: /install.amd/vmlinuz, /install.amd/initrd.gz (text installer),
# /install.amd/gtk/initrd.gz (graphical installer), /isolinux/isolinux.cfg with the
# `include`d menu files and /boot/grub/grub.cfg, with the entries, defaults and parameters
# Debian ships (the graphical installer is the default; `vga=788 --- quiet`). No boot
# loader is embedded: vm-cli reads the configuration, it does not run isolinux.
#   tests/make_netinst_iso.sh OUT.iso [CACHE_AMD64_DIR]
set -eu
out=$1
cache=${2:-${VM_CACHE:-${HOME:-/root}/.cache/vm-guests}/amd64}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/install.amd/gtk" "$t/isolinux" "$t/boot/grub" "$t/.disk"
cp "$cache/linux" "$t/install.amd/vmlinuz"
cp "$cache/initrd.gz" "$t/install.amd/initrd.gz"
cp "$cache/gtk-initrd.gz" "$t/install.amd/gtk/initrd.gz"
echo "Debian GNU/Linux 13 \"Trixie\" - Official amd64 NETINST (vm test image)" >"$t/.disk/info"

cat >"$t/isolinux/isolinux.cfg" <<'CFG'
# D-I config version 2.0
# search path for the c32 support libraries (libcom32, libutil etc.)
path 
include menu.cfg
default vesamenu.c32
prompt 0
timeout 0
CFG
cat >"$t/isolinux/menu.cfg" <<'CFG'
menu hshift 4
menu width 70

menu title Debian GNU/Linux installer menu (BIOS mode)
include stdmenu.cfg
include gtk.cfg
include txt.cfg
menu begin advanced
    menu label ^Advanced options
	menu title Advanced options
	include stdmenu.cfg
	label mainmenu
		menu label ^Back..
		menu exit
	include adgtk.cfg
	include adtxt.cfg
menu end
label help
	menu label ^Help
	text help
   Display help screens; type 'menu' at boot prompt to return to this menu
	endtext
	config prompt.cfg
CFG
cat >"$t/isolinux/stdmenu.cfg" <<'CFG'
menu background splash.png
menu color title	* #FFFFFFFF *
menu color border	* #00000000 #00000000 none
menu color sel		* #ffffffff #76a1d0ff *
menu vshift 8
menu rows 12
menu tabmsgrow 18
menu tabmsg Press ENTER to boot or TAB to edit a menu entry
CFG
cat >"$t/isolinux/gtk.cfg" <<'CFG'
default installgui
label installgui
	menu label ^Graphical install
	menu default
	kernel /install.amd/vmlinuz
	append vga=788 initrd=/install.amd/gtk/initrd.gz --- quiet 
CFG
cat >"$t/isolinux/txt.cfg" <<'CFG'
label install
	menu label ^Install
	kernel /install.amd/vmlinuz
	append vga=788 initrd=/install.amd/initrd.gz --- quiet 
CFG
cat >"$t/isolinux/adgtk.cfg" <<'CFG'
label expertgui
	menu label Graphical expert install
	kernel /install.amd/vmlinuz
	append priority=low vga=788 initrd=/install.amd/gtk/initrd.gz --- 
label rescuegui
	menu label Graphical rescue mode
	kernel /install.amd/vmlinuz
	append vga=788 initrd=/install.amd/gtk/initrd.gz rescue/enable=true --- quiet 
CFG
cat >"$t/isolinux/adtxt.cfg" <<'CFG'
label expert
	menu label E^xpert install
	kernel /install.amd/vmlinuz
	append priority=low vga=788 initrd=/install.amd/initrd.gz --- 
label rescue
	menu label ^Rescue mode
	kernel /install.amd/vmlinuz
	append vga=788 initrd=/install.amd/initrd.gz rescue/enable=true --- quiet 
CFG
cat >"$t/isolinux/prompt.cfg" <<'CFG'
prompt 1
display f1.txt
timeout 0
CFG
cat >"$t/boot/grub/grub.cfg" <<'CFG'
if [ x$feature_default_font_path = xy ] ; then
   font=unicode
else
   font=$prefix/font.pf2
fi

if loadfont $font ; then
  set gfxmode=800x600
  set gfxpayload=keep
  insmod efi_gop
  insmod efi_uga
  insmod video_bochs
  insmod video_cirrus
  insmod gfxterm
  insmod png
  terminal_output gfxterm
fi

insmod play
play 960 440 1 0 4 440 1
set theme=/boot/grub/theme/1
menuentry --hotkey=g 'Graphical install' {
    set background_color=black
    linux    /install.amd/vmlinuz vga=788 --- quiet 
    initrd   /install.amd/gtk/initrd.gz
}
menuentry --hotkey=i 'Install' {
    set background_color=black
    linux    /install.amd/vmlinuz vga=788 --- quiet 
    initrd   /install.amd/initrd.gz
}
submenu --hotkey=a 'Advanced options ...' {
    set menu_color_normal=cyan/blue
    set menu_color_highlight=white/blue
    menuentry --hotkey=x 'Graphical expert install' {
        set background_color=black
        linux    /install.amd/vmlinuz priority=low vga=788 --- 
        initrd   /install.amd/gtk/initrd.gz
    }
    menuentry --hotkey=e 'Expert install' {
        set background_color=black
        linux    /install.amd/vmlinuz priority=low vga=788 --- 
        initrd   /install.amd/initrd.gz
    }
}
CFG
xorriso -as mkisofs -quiet -r -J -V "Debian 13.2.0 amd64 n" -o "$out" "$t"
