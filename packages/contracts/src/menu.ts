import { z } from 'zod';
import { MENU_CATEGORIES } from './rules';

export const MenuCategory = z.enum(MENU_CATEGORIES);
export type MenuCategory = z.infer<typeof MenuCategory>;

export const MenuItemId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'menu item ids are lowercase letters, digits and dashes');

export const MenuItem = z.object({
  id: MenuItemId,
  name: z.string(),
  description: z.string(),
  category: MenuCategory,
  priceCents: z.number().int().nonnegative(),
  stock: z.number().int().nonnegative(),
});
export type MenuItem = z.infer<typeof MenuItem>;

/** One item's current stock, as the `menu.stock` subscription pushes it. */
export const ItemStock = MenuItem.pick({ id: true, stock: true });
export type ItemStock = z.infer<typeof ItemStock>;

/** The menu every fresh store starts with. */
export const MENU_SEED: readonly MenuItem[] = [
  { id: 'margherita', name: 'Margherita', category: 'pizza', priceCents: 1299, stock: 200,
    description: 'San Marzano tomato, fior di latte and fresh basil on a wood-fired crust.' },
  { id: 'pepperoni', name: 'Pepperoni', category: 'pizza', priceCents: 1499, stock: 200,
    description: 'Spicy pepperoni cups, mozzarella and oregano over rich tomato sauce.' },
  { id: 'hawaiian', name: 'Hawaiian', category: 'pizza', priceCents: 1399, stock: 200,
    description: 'Smoked ham, roasted pineapple and mozzarella — sweet meets savoury.' },
  { id: 'cola', name: 'Cola', category: 'drinks', priceCents: 299, stock: 500,
    description: 'An ice-cold 330 ml can of classic cola.' },
  { id: 'sparkling-water', name: 'Sparkling Water', category: 'drinks', priceCents: 199, stock: 500,
    description: 'Lightly sparkling mineral water, 500 ml.' },
  { id: 'lava-cake', name: 'Lava Cake', category: 'desserts', priceCents: 799, stock: 150,
    description: 'Warm chocolate cake with a molten centre.' },
  { id: 'tiramisu', name: 'Tiramisu', category: 'desserts', priceCents: 699, stock: 150,
    description: 'Espresso-soaked ladyfingers layered with mascarpone cream.' },
];
