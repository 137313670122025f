; Referral Desk's Windows installer, for one user and without administrator
; rights: the program in %LocalAppData%\Programs\Referral Desk, a Start-menu
; shortcut, the referraldesk: URL protocol for this user (HKCU), and an
; uninstaller listed in Apps & features. .ci/dist runs makensis with
; -DVERSION=0.1.0 -DVERSION4=0.1.0.0 -DEXE=… -DICON=… -DOUTFILE=….
Unicode true
!include "MUI2.nsh"

!define APP "Referral Desk"
!define PUBLISHER "Referral Desk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\ReferralDesk"
!define PROTOCOL "Software\Classes\referraldesk"

Name "${APP}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
SetCompressor /SOLID lzma

VIProductVersion "${VERSION4}"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\referraldesk.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Open ${APP}"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "Install"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "/oname=referraldesk.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\referraldesk.exe" "" "$INSTDIR\referraldesk.exe" 0

  ; A referraldesk:// link in a browser or an e-mail opens Referral Desk.
  WriteRegStr HKCU "${PROTOCOL}" "" "URL:Referral Desk link"
  WriteRegStr HKCU "${PROTOCOL}" "URL Protocol" ""
  WriteRegStr HKCU "${PROTOCOL}\DefaultIcon" "" "$INSTDIR\referraldesk.exe,0"
  WriteRegStr HKCU "${PROTOCOL}\shell\open\command" "" '"$INSTDIR\referraldesk.exe" "%1"'

  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\referraldesk.exe,0"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
SectionEnd

; The data folder (%AppData%\referraldesk: the referrals, encrypted) stays,
; as a reinstall or an upgrade expects it; the README says how to remove it.
Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APP}.lnk"
  DeleteRegKey HKCU "${PROTOCOL}"
  DeleteRegKey HKCU "${UNINSTKEY}"
  Delete "$INSTDIR\referraldesk.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
