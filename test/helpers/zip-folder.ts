import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';

/** Zips the files of `dir` (optionally under a folder inside the zip) into `zipPath`. */
export async function zipFolder(dir: string, zipPath: string, inner = ''): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const f of fs.readdirSync(dir)) zip.addFile(path.join(dir, f), inner ? `${inner}/${f}` : f);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(zipPath)).on('close', resolve).on('error', reject));
  return zipPath;
}
