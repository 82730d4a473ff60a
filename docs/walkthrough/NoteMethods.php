<?php

declare(strict_types=1);

namespace Core\Client;

use Core\Client\Model\Note;

/**
 * The walkthrough's methods of CoreClient, as a trait its test can use.
 */
trait NoteMethods
{
    // Methods of CoreClient, beside the others:

    /**
     * Add a note to an account (agents and administrators).
     *
     * @throws Exception\NotFoundException
     * @throws Exception\ForbiddenException
     */
    public function addNote(string $accountNumber, string $body): Note
    {
        $arguments = ['accountNumber' => $accountNumber, 'body' => $body];

        return $this->one('addNote', $arguments, Note::fromSoap(...));
    }

    /**
     * Return an account's notes, oldest first (staff only).
     *
     * @return list<Note>
     * @throws Exception\NotFoundException
     */
    public function listNotes(string $accountNumber): array
    {
        return $this->list('listNotes', ['accountNumber' => $accountNumber], Note::fromSoap(...));
    }

    // End of the methods.
}
