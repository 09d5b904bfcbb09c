import { MAX_STOCK } from '@pizza/contracts';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { useMenu } from '@/menu/use-menu';
import { adminApi, describeFailure } from './admin-api';
import { Field, Panel, Select } from './control-fields';

/** Stock per item; the menu here and every open menu page follow it live (menu.stock subscription). */
export function StockPanel() {
  const menu = useMenu();
  const items = menu.data ?? [];
  const [chosen, setChosen] = useState('');
  const itemId = chosen || items[0]?.id || '';
  const item = menu.byId.get(itemId);
  const [stock, setStock] = useState('200');
  const [status, setStatus] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => adminApi.setStock.mutate({ id: itemId, stock: Number(stock) }),
    onSuccess: (updated) => {
      setStatus(`${updated.name}: stock set to ${updated.stock}.`);
      setFailure(null);
    },
    onError: (error) => setFailure(describeFailure(error)),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <Panel
      id="stock"
      testId="stock"
      title="Stock"
      description="Set how many of an item are left. Every open menu page shows the change at once."
      status={status}
      error={failure ?? (menu.isError ? menu.error.message : null)}
    >
      <form onSubmit={onSubmit} className="grid gap-3">
        <div className="grid items-end gap-3 sm:grid-cols-2">
          <Field id="stock-item" label="Item">
            <Select id="stock-item" value={itemId} onChange={(e) => setChosen(e.target.value)} aria-describedby="stock-now">
              {items.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="stock-value" label={`New stock (0 to ${MAX_STOCK})`}>
            <Input id="stock-value" type="number" inputMode="numeric" min={0} max={MAX_STOCK} step={1} required value={stock} onChange={(e) => setStock(e.target.value)} />
          </Field>
        </div>
        <p id="stock-now" className="text-sm text-muted-foreground" data-testid="stock-now">
          {item ? (
            <>
              In stock now: <span className="font-semibold text-foreground tabular-nums">{item.stock}</span>
            </>
          ) : (
            'Loading the menu…'
          )}
        </p>
        <Button type="submit" className="justify-self-start" disabled={save.isPending || !item}>
          Set stock
        </Button>
      </form>
    </Panel>
  );
}
