/** The image reference a container runs: nslab's own images carry the hash of their recipe as tag. */
import { imageRefFor } from '../../images/recipes.ts';

export function imageRef(image: string): string {
  const ref = imageRefFor(image);
  if (ref !== image) return ref;
  const last = image.split('/').pop() ?? image;
  return last.includes(':') || image.includes('@') ? image : `${image}:latest`;
}
