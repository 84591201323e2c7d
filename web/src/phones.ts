// A phone kept in E.164 shown as people there write it: +821012345678 → 010-1234-5678; a British
// mobile with its country code, grouped: +447400123456 → +44 7400 123456 (the server reads either).
export function displayPhone(e164: string): string {
  const uk = /^\+44(7\d{3})(\d{6})$/.exec(e164);
  if (uk) return `+44 ${uk[1]} ${uk[2]}`;
  const kr = /^\+82(\d+)$/.exec(e164);
  if (!kr) return e164;
  const national = "0" + kr[1];
  if (/^01\d{8,9}$/.test(national)) return national.replace(/^(01\d)(\d{3,4})(\d{4})$/, "$1-$2-$3");
  if (/^02\d{7,8}$/.test(national)) return national.replace(/^(02)(\d{3,4})(\d{4})$/, "$1-$2-$3");
  if (/^0\d{2}\d{7,8}$/.test(national)) return national.replace(/^(0\d{2})(\d{3,4})(\d{4})$/, "$1-$2-$3");
  if (/^1\d{7}$/.test(kr[1])) return kr[1].replace(/^(\d{4})(\d{4})$/, "$1-$2");
  return national;
}
