import type { MenuCategory } from '@pizza/contracts';
import { CakeSlice, CupSoda, Pizza, type LucideIcon } from 'lucide-react';

export const CATEGORY_INFO: Record<MenuCategory, { title: string; blurb: string; icon: LucideIcon; tint: string }> = {
  pizza: { title: 'Pizza', blurb: 'Wood-fired, stretched by hand, out of the oven in 90 seconds.', icon: Pizza, tint: 'bg-[#fde3cf] text-[#9a3412]' },
  drinks: { title: 'Drinks', blurb: 'Ice-cold, to go with every slice.', icon: CupSoda, tint: 'bg-[#dcefe9] text-[#1d5c4d]' },
  desserts: { title: 'Desserts', blurb: 'Save room for something sweet.', icon: CakeSlice, tint: 'bg-[#f3e1ea] text-[#7c2d52]' },
};
